package io.realtime.bench.server;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Tomcat settings {@code docs/BENCHMARKS.md} recommends for many idle connections, applied
 * alike to every Java server of the benchmark when {@code -Dbench.tomcat.socket-buffer} is set:
 * smaller per-connection socket buffers (Tomcat's default is 8 KB each way, on the heap).
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
public class TomcatTuning {

	@Bean
	TomcatConnectorCustomizer benchSocketBuffers() {
		return (connector) -> {
			String size = System.getProperty("bench.tomcat.socket-buffer");
			if (size != null) {
				connector.setProperty("socket.appReadBufSize", size);
				connector.setProperty("socket.appWriteBufSize", size);
			}
		};
	}

}
