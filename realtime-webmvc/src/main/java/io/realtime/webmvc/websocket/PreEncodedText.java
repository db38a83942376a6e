package io.realtime.webmvc.websocket;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Sends a text frame from UTF-8 bytes encoded once per message for every subscriber, through
 * Tomcat's own frame writer. The standard API takes only a {@code String} and encodes it again
 * for each connection: a profile of a 1,000-subscriber fan-out spent a fifth of its CPU there.
 * It also flushes batched frames without blocking, so a fan-out writes many frames per system
 * call. On another container, or a Tomcat whose internals differ, {@link #isAvailable} is
 * {@code false} and callers use the standard API, one frame per write.
 */
final class PreEncodedText {

	private static final byte TEXT = 0x1;

	private static final byte PING = 0x9;

	/** Tomcat's internal opcode that writes out what batching has buffered. */
	private static final byte FLUSH = 24;

	private static final @Nullable Class<?> ENDPOINT;

	/** {@code WsRemoteEndpointBase.base}: the frame writer behind a session's remote endpoint. */
	private static final @Nullable MethodHandle WRITER;

	/** {@code WsRemoteEndpointImplBase.startMessage(byte, ByteBuffer, boolean, SendHandler)}. */
	private static final @Nullable MethodHandle START_MESSAGE;

	static {
		Class<?> endpoint = null;
		MethodHandle writer = null;
		MethodHandle startMessage = null;
		try {
			ClassLoader classLoader = PreEncodedText.class.getClassLoader();
			endpoint = ClassUtils.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", classLoader);
			Class<?> impl = ClassUtils.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", classLoader);
			writer = MethodHandles.privateLookupIn(endpoint, MethodHandles.lookup()).findGetter(endpoint, "base", impl);
			startMessage = MethodHandles.privateLookupIn(impl, MethodHandles.lookup())
				.findVirtual(impl, "startMessage", MethodType.methodType(void.class, byte.class, ByteBuffer.class,
						boolean.class, SendHandler.class));
		}
		catch (LinkageError | ReflectiveOperationException | RuntimeException ex) {
			endpoint = null;
		}
		ENDPOINT = endpoint;
		WRITER = (endpoint != null) ? writer : null;
		START_MESSAGE = (endpoint != null) ? startMessage : null;
	}

	private PreEncodedText() {
	}

	/** Whether frames can be sent from bytes on this remote endpoint. */
	static boolean isAvailable(RemoteEndpoint.Async remote) {
		return START_MESSAGE != null && ENDPOINT != null && ENDPOINT.isInstance(remote);
	}

	/**
	 * Start sending one whole text frame; {@code handler} hears the result, as with
	 * {@link RemoteEndpoint.Async#sendText(String, SendHandler)}.
	 */
	static void send(RemoteEndpoint.Async remote, byte[] utf8, SendHandler handler) {
		// a buffer of its own per send: the writer moves its position, the bytes are shared
		start(remote, TEXT, ByteBuffer.wrap(utf8), handler);
	}

	/**
	 * Write out the frames batching has buffered, without blocking: the standard
	 * {@code flushBatch()} waits for a slow client's socket.
	 */
	static void flush(RemoteEndpoint.Async remote, SendHandler handler) {
		start(remote, FLUSH, null, handler);
	}

	/** Send a ping without blocking: the standard {@code sendPing} waits for the socket. */
	static void ping(RemoteEndpoint.Async remote, SendHandler handler) {
		start(remote, PING, ByteBuffer.allocate(0), handler);
	}

	private static void start(RemoteEndpoint.Async remote, byte opCode, @Nullable ByteBuffer payload,
			SendHandler handler) {
		try {
			START_MESSAGE.invoke(WRITER.invoke(remote), opCode, payload, true, handler);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

}
