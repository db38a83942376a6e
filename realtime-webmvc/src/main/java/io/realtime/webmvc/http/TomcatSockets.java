package io.realtime.webmvc.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;

import jakarta.servlet.ServletOutputStream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * What no servlet API does for a connection taken over from Tomcat, done on Tomcat's socket
 * wrapper: a write timeout (Tomcat leaves taken-over connections without one, so a client that
 * stops reading and never closes would keep its socket for ever), and closing the socket from any
 * thread (closing a taken-over connection only closes its socket on the container's next event
 * for it, which may never come). Does nothing on other containers or a Tomcat it does not know.
 */
final class TomcatSockets {

	private static final Log logger = LogFactory.getLog(TomcatSockets.class);

	private static final @Nullable Class<?> STREAM;

	/** {@code UpgradeServletOutputStream.socketWrapper}. */
	private static final @Nullable MethodHandle SOCKET;

	/** {@code SocketWrapperBase.setWriteTimeout(long)}. */
	private static final @Nullable MethodHandle SET_WRITE_TIMEOUT;

	/** {@code SocketWrapperBase.close()}. */
	private static final @Nullable MethodHandle CLOSE;

	static {
		Class<?> stream = null;
		MethodHandle socket = null;
		MethodHandle setWriteTimeout = null;
		MethodHandle close = null;
		try {
			ClassLoader loader = ServletOutputStream.class.getClassLoader();
			stream = Class.forName("org.apache.coyote.http11.upgrade.UpgradeServletOutputStream", false, loader);
			Class<?> wrapper = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false, loader);
			socket = MethodHandles.privateLookupIn(stream, MethodHandles.lookup())
				.findGetter(stream, "socketWrapper", wrapper);
			setWriteTimeout = MethodHandles.publicLookup()
				.findVirtual(wrapper, "setWriteTimeout", MethodType.methodType(void.class, long.class));
			close = MethodHandles.publicLookup().findVirtual(wrapper, "close", MethodType.methodType(void.class));
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
			logger.debug("Connections taken over from this container get no write timeout", ex);
			stream = null;
		}
		STREAM = stream;
		SOCKET = socket;
		SET_WRITE_TIMEOUT = setWriteTimeout;
		CLOSE = close;
	}

	private TomcatSockets() {
	}

	/**
	 * Set the write timeout of a taken-over connection.
	 * @param out the output of the connection
	 * @param timeout the longest a write may wait for the client
	 */
	static void setWriteTimeout(ServletOutputStream out, Duration timeout) {
		Object socket = socket(out);
		if (socket != null && SET_WRITE_TIMEOUT != null) {
			try {
				SET_WRITE_TIMEOUT.invoke(socket, timeout.toMillis());
			}
			catch (Throwable ex) {
				logger.debug("Could not set the write timeout of a taken-over connection", ex);
			}
		}
	}

	/**
	 * Close the socket of a taken-over connection now.
	 * @param out the output of the connection
	 */
	static void close(ServletOutputStream out) {
		Object socket = socket(out);
		if (socket != null && CLOSE != null) {
			try {
				CLOSE.invoke(socket);
			}
			catch (Throwable ex) {
				logger.debug("Could not close a taken-over connection", ex);
			}
		}
	}

	private static @Nullable Object socket(ServletOutputStream out) {
		if (STREAM == null || SOCKET == null || !STREAM.isInstance(out)) {
			return null;
		}
		try {
			return SOCKET.invoke(out);
		}
		catch (Throwable ex) {
			return null;
		}
	}

}
