package io.realtime.jetty;

import io.realtime.test.SmallSendBuffers;
import io.realtime.test.TestApplication;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The integration tests this module runs really run on Jetty, with no Tomcat on the class path
 * for the transports to find, and the shared fixtures take effect here too.
 */
@SpringBootTest(classes = { TestApplication.class, SmallSendBuffers.class }, webEnvironment = WebEnvironment.RANDOM_PORT)
class JettyIntegrationTests {

	@Autowired
	ServletWebServerApplicationContext context;

	@Test
	void serverIsJettyAndTomcatIsAbsent() {
		assertThat(this.context.getWebServer()).isInstanceOf(JettyWebServer.class);
		assertThat(this.context.getServletContext().getServerInfo()).startsWith("jetty/");
		assertThat(ClassUtils.isPresent("org.apache.catalina.startup.Tomcat", null)).isFalse();
		assertThat(ClassUtils.isPresent("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", null)).isFalse();
	}

	@Test
	void smallSendBuffersReachJettysConnector() {
		Connector[] connectors = ((JettyWebServer) this.context.getWebServer()).getServer().getConnectors();
		assertThat(connectors).singleElement()
			.isInstanceOfSatisfying(ServerConnector.class,
					(connector) -> assertThat(connector.getAcceptedSendBufferSize()).isEqualTo(SmallSendBuffers.SIZE));
	}

}
