package io.realtime.test;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;

import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link SmallSendBuffers} on Jetty, imported by it when this class is on the class path: every
 * socket Jetty accepts gets a send buffer of {@link SmallSendBuffers#SIZE} bytes.
 */
@Configuration(proxyBeanMethods = false)
public class JettySmallSendBuffers {

	@Bean
	JettyServerCustomizer smallSendBuffer() {
		return (server) -> {
			for (Connector connector : server.getConnectors()) {
				if (connector instanceof ServerConnector serverConnector) {
					serverConnector.setAcceptedSendBufferSize(SmallSendBuffers.SIZE);
				}
			}
		};
	}

}
