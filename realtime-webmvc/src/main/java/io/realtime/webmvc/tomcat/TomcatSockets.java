package io.realtime.webmvc.tomcat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;

import jakarta.servlet.ServletOutputStream;

/**
 * What no servlet API does for a connection taken over from Tomcat, done on Tomcat's socket
 * wrapper: a write timeout (Tomcat leaves taken-over connections without one, so a client that
 * stops reading and never closes would keep its socket for ever), and closing the socket from any
 * thread (closing a taken-over connection only closes its socket on the container's next event
 * for it, which may never come).
 */
final class TomcatSockets {

	/** {@code UpgradeServletOutputStream.socketWrapper}. */
	private final MethodHandle socket;

	/** {@code SocketWrapperBase.setWriteTimeout(long)}. */
	private final MethodHandle setWriteTimeout;

	/** {@code SocketWrapperBase.close()}. */
	private final MethodHandle close;

	private TomcatSockets(MethodHandle socket, MethodHandle setWriteTimeout, MethodHandle close) {
		this.socket = socket;
		this.setWriteTimeout = setWriteTimeout;
		this.close = close;
	}

	/**
	 * Find Tomcat's members.
	 * @throws ReflectiveOperationException when this Tomcat does not have them
	 */
	static TomcatSockets resolve(ClassLoader loader) throws ReflectiveOperationException {
		Class<?> stream = Class.forName("org.apache.coyote.http11.upgrade.UpgradeServletOutputStream", false, loader);
		Class<?> wrapper = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false, loader);
		MethodHandle socket = MethodHandles.privateLookupIn(stream, MethodHandles.lookup())
			.findGetter(stream, "socketWrapper", wrapper);
		MethodHandle setWriteTimeout = MethodHandles.publicLookup()
			.findVirtual(wrapper, "setWriteTimeout", MethodType.methodType(void.class, long.class));
		MethodHandle close = MethodHandles.publicLookup()
			.findVirtual(wrapper, "close", MethodType.methodType(void.class));
		return new TomcatSockets(socket, setWriteTimeout, close);
	}

	/** Set the write timeout of a taken-over connection. */
	void setWriteTimeout(ServletOutputStream out, Duration timeout) throws Throwable {
		this.setWriteTimeout.invoke(this.socket.invoke(out), timeout.toMillis());
	}

	/** Close the socket of a taken-over connection now. */
	void close(ServletOutputStream out) throws Throwable {
		this.close.invoke(this.socket.invoke(out));
	}

}
