package io.realtime.test;

import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * Small socket send buffers: a stalled client's socket holds a few KB, as on a busy server. On
 * Tomcat by a connector customizer; on Jetty by {@code JettySmallSendBuffers}, which lives in
 * realtime-jetty-tests because only that module has Jetty on its class path.
 */
@TestConfiguration(proxyBeanMethods = false)
@Import({ SmallSendBuffers.TomcatSendBuffers.class, SmallSendBuffers.JettySendBuffers.class })
public class SmallSendBuffers {

	/** The send buffer of every socket the server accepts, in bytes. */
	public static final int SIZE = 8192;

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
	static class TomcatSendBuffers {

		@Bean
		TomcatConnectorCustomizer smallSendBuffer() {
			return (connector) -> connector.setProperty("socket.txBufSize", Integer.toString(SIZE));
		}

	}

	/** Imports {@code JettySmallSendBuffers} where it is on the class path. */
	static class JettySendBuffers implements ImportSelector, BeanClassLoaderAware {

		static final String JETTY = "io.realtime.test.JettySmallSendBuffers";

		private ClassLoader classLoader = ClassUtils.getDefaultClassLoader();

		@Override
		public void setBeanClassLoader(ClassLoader classLoader) {
			this.classLoader = classLoader;
		}

		@Override
		public String[] selectImports(AnnotationMetadata metadata) {
			return ClassUtils.isPresent(JETTY, this.classLoader) ? new String[] { JETTY } : new String[0];
		}

	}

}
