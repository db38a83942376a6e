package io.realtime.webmvc.tomcat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

import io.realtime.webmvc.container.PreEncodedFrames;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import org.jspecify.annotations.Nullable;

/**
 * Sends frames through Tomcat's own frame writer: text from UTF-8 bytes encoded once per message
 * for every subscriber (the standard API encodes a {@code String} again for each connection: a
 * profile of a 1,000-subscriber fan-out spent a fifth of its CPU there), pings and batch flushes
 * without blocking, so a fan-out writes many frames per system call.
 */
final class PreEncodedText {

	private static final byte TEXT = 0x1;

	private static final byte PING = 0x9;

	/** Tomcat's internal opcode that writes out what batching has buffered. */
	private static final byte FLUSH = 24;

	/** {@code WsRemoteEndpointBase}. */
	private final Class<?> endpoint;

	/** {@code WsRemoteEndpointBase.base}: the frame writer behind a session's remote endpoint. */
	private final MethodHandle writer;

	/** {@code WsRemoteEndpointImplBase.startMessage(byte, ByteBuffer, boolean, SendHandler)}. */
	private final MethodHandle startMessage;

	private PreEncodedText(Class<?> endpoint, MethodHandle writer, MethodHandle startMessage) {
		this.endpoint = endpoint;
		this.writer = writer;
		this.startMessage = startMessage;
	}

	/**
	 * Find Tomcat's members.
	 * @throws ReflectiveOperationException when this Tomcat does not have them
	 */
	static PreEncodedText resolve(ClassLoader loader) throws ReflectiveOperationException {
		Class<?> endpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
		Class<?> impl = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
		MethodHandle writer = MethodHandles.privateLookupIn(endpoint, MethodHandles.lookup())
			.findGetter(endpoint, "base", impl);
		MethodHandle startMessage = MethodHandles.privateLookupIn(impl, MethodHandles.lookup())
			.findVirtual(impl, "startMessage",
					MethodType.methodType(void.class, byte.class, ByteBuffer.class, boolean.class, SendHandler.class));
		return new PreEncodedText(endpoint, writer, startMessage);
	}

	/** The frames of a session, or {@code null} when its remote endpoint is not Tomcat's. */
	@Nullable PreEncodedFrames framesOf(RemoteEndpoint.Async remote) {
		if (!this.endpoint.isInstance(remote)) {
			return null;
		}
		Object writer;
		try {
			writer = this.writer.invoke(remote);
		}
		catch (Throwable ex) {
			return null;
		}
		return new PreEncodedFrames() {

			@Override
			public void sendText(byte[] utf8, SendHandler handler) {
				// a buffer of its own per send: the writer moves its position, the bytes are shared
				start(writer, TEXT, ByteBuffer.wrap(utf8), handler);
			}

			@Override
			public void ping(SendHandler handler) {
				start(writer, PING, ByteBuffer.allocate(0), handler);
			}

			@Override
			public void flush(SendHandler handler) {
				start(writer, FLUSH, null, handler);
			}

		};
	}

	private void start(Object writer, byte opCode, @Nullable ByteBuffer payload, SendHandler handler) {
		try {
			this.startMessage.invoke(writer, opCode, payload, true, handler);
		}
		catch (Throwable ex) {
			handler.onResult(new SendResult(ex));
		}
	}

}
