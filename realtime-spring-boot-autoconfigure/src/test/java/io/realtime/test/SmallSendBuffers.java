package io.realtime.test;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;

/** Small socket send buffers: a stalled client's socket holds a few KB, as on a busy server. */
@TestConfiguration(proxyBeanMethods = false)
public class SmallSendBuffers {

	@Bean
	TomcatConnectorCustomizer smallSendBuffer() {
		return (connector) -> connector.setProperty("socket.txBufSize", "8192");
	}

}
