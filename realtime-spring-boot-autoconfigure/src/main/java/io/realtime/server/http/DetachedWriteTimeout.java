package io.realtime.server.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;

import jakarta.servlet.ServletOutputStream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Gives a connection taken over from Tomcat a write timeout. Tomcat leaves taken-over connections
 * without one, so a client that stops reading (and never closes) would keep its socket for ever;
 * with one, Tomcat fails the stalled write and closes it, as it does for a stalled response. No
 * servlet API sets it: this reaches Tomcat's socket wrapper, and does nothing on other containers
 * or a Tomcat it does not recognize.
 */
final class DetachedWriteTimeout {

	private static final Log logger = LogFactory.getLog(DetachedWriteTimeout.class);

	private static final @Nullable Class<?> STREAM;

	/** {@code UpgradeServletOutputStream.socketWrapper}. */
	private static final @Nullable MethodHandle SOCKET;

	/** {@code SocketWrapperBase.setWriteTimeout(long)}. */
	private static final @Nullable MethodHandle SET_WRITE_TIMEOUT;

	static {
		Class<?> stream = null;
		MethodHandle socket = null;
		MethodHandle setWriteTimeout = null;
		try {
			ClassLoader loader = ServletOutputStream.class.getClassLoader();
			stream = Class.forName("org.apache.coyote.http11.upgrade.UpgradeServletOutputStream", false, loader);
			Class<?> wrapper = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false, loader);
			socket = MethodHandles.privateLookupIn(stream, MethodHandles.lookup())
				.findGetter(stream, "socketWrapper", wrapper);
			setWriteTimeout = MethodHandles.publicLookup()
				.findVirtual(wrapper, "setWriteTimeout", MethodType.methodType(void.class, long.class));
		}
		catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
			logger.debug("Detached SSE streams get no write timeout on this container", ex);
			stream = null;
		}
		STREAM = stream;
		SOCKET = socket;
		SET_WRITE_TIMEOUT = setWriteTimeout;
	}

	private DetachedWriteTimeout() {
	}

	/**
	 * Set the write timeout of a taken-over connection's output, where the container allows.
	 * @param out the output of the connection
	 * @param timeout the longest a write may wait for the client
	 * @return whether it was set
	 */
	static boolean apply(ServletOutputStream out, Duration timeout) {
		if (STREAM == null || SOCKET == null || SET_WRITE_TIMEOUT == null || !STREAM.isInstance(out)) {
			return false;
		}
		try {
			SET_WRITE_TIMEOUT.invoke(SOCKET.invoke(out), timeout.toMillis());
			return true;
		}
		catch (Throwable ex) {
			logger.debug("Could not set the write timeout of a detached SSE stream", ex);
			return false;
		}
	}

}
