package io.realtime.test;

import java.io.IOException;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Counts the async requests the container has not completed yet, on any container: a request
 * left open would hold up a graceful shutdown. A filter in front of everything sees a request
 * go async and listens for its completion, as the container's own count would.
 */
@TestConfiguration(proxyBeanMethods = false)
public class AsyncRequests {

	private final AtomicInteger inProgress = new AtomicInteger();

	/** The async requests started and not yet completed. */
	public int inProgress() {
		return this.inProgress.get();
	}

	@Bean
	FilterRegistrationBean<Filter> asyncRequestsFilter() {
		FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(this::filter);
		registration.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	private void filter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		chain.doFilter(request, response);
		if (request.isAsyncStarted()) {
			this.inProgress.incrementAndGet();
			try {
				request.getAsyncContext().addListener(new Completion());
			}
			catch (IllegalStateException ex) {
				// completed already, on another thread
				this.inProgress.decrementAndGet();
			}
		}
	}

	private final class Completion implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			AsyncRequests.this.inProgress.decrementAndGet();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
		}

		@Override
		public void onError(AsyncEvent event) {
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			// a restarted request keeps only the listeners that add themselves again
			event.getAsyncContext().addListener(this);
		}

	}

}
