package io.realtime.webmvc.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.realtime.webmvc.RefusalLog;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers what Spring MVC refuses under the realtime base path before any realtime endpoint is
 * involved (a wrong method, an unknown path, an unacceptable {@code Accept}) with a problem
 * body in this library's words, with the headers the refusal calls for ({@code Allow}), and
 * without the application's error page or a WARN line.
 *
 * @since 0.1.0
 */
public class RealtimeErrorResolver implements HandlerExceptionResolver, Ordered {

	private final String basePath;

	/**
	 * Create the resolver.
	 * @param basePath the realtime base path, such as {@code /realtime}
	 */
	public RealtimeErrorResolver(String basePath) {
		this.basePath = basePath + "/";
	}

	@Override
	public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
			@Nullable Object handler, Exception ex) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		if (!(ex instanceof ErrorResponse error) || !path.startsWith(this.basePath) || response.isCommitted()) {
			return null;
		}
		HttpStatus status = HttpStatus.resolve(error.getStatusCode().value());
		if (status == null) {
			return null;
		}
		String detail = detail(request, status, ex);
		RefusalLog.refused(request.getMethod() + " " + path, status.value(), detail);
		try {
			response.reset();
			error.getHeaders().forEach((name, values) -> values.forEach((value) -> response.addHeader(name, value)));
			response.setStatus(status.value());
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			byte[] body = WireFormat.problem(status, detail, path).getBytes(StandardCharsets.UTF_8);
			response.setContentLength(body.length);
			response.getOutputStream().write(body);
		}
		catch (IOException writeFailed) {
			// the client went away: nothing to answer
		}
		return new ModelAndView();
	}

	private static String detail(HttpServletRequest request, HttpStatus status, Exception ex) {
		if (ex instanceof HttpRequestMethodNotSupportedException methods && methods.getSupportedHttpMethods() != null) {
			return request.getMethod() + " is not allowed here; use " + String.join(", ",
					methods.getSupportedHttpMethods().stream().map(Object::toString).toList());
		}
		return switch (status) {
			case NOT_FOUND -> "there is no realtime endpoint at this path";
			case NOT_ACCEPTABLE -> "the endpoint cannot answer in a type the Accept header allows";
			default -> "the request was refused: " + status.getReasonPhrase();
		};
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
