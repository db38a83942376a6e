package io.realtime.webmvc.tomcat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.realtime.webmvc.container.PreEncodedFrames;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import org.jspecify.annotations.Nullable;

/**
 * WebSocket frames written straight to a session's Tomcat socket, without blocking: frames
 * encoded once for every subscriber, collected until the outbox runs dry and then written with
 * one gathering write. Tomcat's own frame writer hands the completion of every
 * non-blocking send to the connector's executor, even when the bytes went out at once (a fan-out
 * to 1,000 sessions made Tomcat start up to {@code threads.max} threads), and its per-frame
 * objects were about 40% of the bytes allocated per delivery. Here a write the socket takes at
 * once completes on the writer's thread, and one the client is slow to take completes when
 * Tomcat's poller finds the socket writable again, within the socket's write timeout.
 * <p>
 * Frames are whole within each socket write, and Tomcat's own frames (its answers to the
 * client's pings, close frames) wait for the write in flight, as its own writes do. Messages are
 * sent uncompressed, which permessage-deflate allows for any message (RFC 7692, section 6).
 */
final class SocketFrames {

	/** A ping with no payload, as a server sends it. */
	private static final byte[] PING = { (byte) 0x89, 0 };

	/** Written at once when this much is collected, rather than when the outbox runs dry. */
	private static final int MAX_COLLECTED_BYTES = 32 * 1024;

	/** Frames collected before a write: a bound on its buffer array. */
	private static final int MAX_COLLECTED_FRAMES = 128;

	@SuppressWarnings("deprecation") // the session-less result: the handlers here do not read it
	private static final SendResult OK = new SendResult();

	/** {@code WsRemoteEndpointBase}. */
	private final Class<?> endpoint;

	/** {@code WsRemoteEndpointBase.base}: the frame writer behind a session's remote endpoint. */
	private final MethodHandle writer;

	/** {@code WsRemoteEndpointImplServer}. */
	private final Class<?> serverWriter;

	/** {@code WsRemoteEndpointImplServer.socketWrapper}. */
	private final MethodHandle socket;

	/** {@code SocketWrapperBase.hasAsyncIO()}: the asynchronous write below needs it. */
	private final MethodHandle hasAsyncIO;

	/** {@code SocketWrapperBase.write(ByteBuffer[], int, int, BlockingMode, long, TimeUnit, …)}. */
	private final MethodHandle write;

	/** {@code BlockingMode.SEMI_BLOCK}: waits only for a write in flight, never for the client. */
	private final Object semiBlock;

	/** {@code SocketWrapperBase.COMPLETE_WRITE_WITH_COMPLETION}: write everything, then call back. */
	private final Object completeWrite;

	private SocketFrames(Class<?> endpoint, MethodHandle writer, Class<?> serverWriter, MethodHandle socket,
			MethodHandle hasAsyncIO, MethodHandle write, Object semiBlock, Object completeWrite) {
		this.endpoint = endpoint;
		this.writer = writer;
		this.serverWriter = serverWriter;
		this.socket = socket;
		this.hasAsyncIO = hasAsyncIO;
		this.write = write;
		this.semiBlock = semiBlock;
		this.completeWrite = completeWrite;
	}

	/**
	 * Find Tomcat's members.
	 * @throws ReflectiveOperationException when this Tomcat does not have them
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	static SocketFrames resolve(ClassLoader loader) throws ReflectiveOperationException {
		Class<?> endpoint = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
		Class<?> impl = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
		Class<?> serverWriter = Class.forName("org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer", false,
				loader);
		Class<?> wrapper = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false, loader);
		Class<? extends Enum> mode = (Class<? extends Enum>) Class
			.forName("org.apache.tomcat.util.net.SocketWrapperBase$BlockingMode", false, loader);
		Class<?> check = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase$CompletionCheck", false, loader);
		MethodHandle writer = MethodHandles.privateLookupIn(endpoint, MethodHandles.lookup())
			.findGetter(endpoint, "base", impl);
		MethodHandle socket = MethodHandles.privateLookupIn(serverWriter, MethodHandles.lookup())
			.findGetter(serverWriter, "socketWrapper", wrapper);
		MethodHandle hasAsyncIO = MethodHandles.publicLookup()
			.findVirtual(wrapper, "hasAsyncIO", MethodType.methodType(boolean.class));
		MethodHandle write = MethodHandles.publicLookup()
			.findVirtual(wrapper, "write",
					MethodType.methodType(
							Class.forName("org.apache.tomcat.util.net.SocketWrapperBase$CompletionState", false, loader),
							ByteBuffer[].class, int.class, int.class, mode, long.class, TimeUnit.class, Object.class,
							check, CompletionHandler.class));
		Object completeWrite = wrapper.getField("COMPLETE_WRITE_WITH_COMPLETION").get(null);
		return new SocketFrames(endpoint, writer, serverWriter, socket, hasAsyncIO, write, Enum.valueOf(mode, "SEMI_BLOCK"),
				completeWrite);
	}

	/**
	 * The frames of a session, or {@code null} when its remote endpoint is not Tomcat's server
	 * endpoint on a connector with asynchronous IO.
	 */
	@Nullable PreEncodedFrames framesOf(RemoteEndpoint.Async remote, Duration sendTimeLimit) {
		if (!this.endpoint.isInstance(remote)) {
			return null;
		}
		try {
			Object writer = this.writer.invoke(remote);
			if (!this.serverWriter.isInstance(writer)) {
				return null;
			}
			Object socket = this.socket.invoke(writer);
			if (socket == null || !(boolean) this.hasAsyncIO.invoke(socket)) {
				return null;
			}
			return new Frames(socket, sendTimeLimit.toMillis());
		}
		catch (Throwable ex) {
			return null;
		}
	}

	/**
	 * The frames of one session. The outbox calls one method at a time and starts nothing new
	 * until the handler it passed was called, so the collected frames need no lock.
	 */
	private final class Frames implements PreEncodedFrames, CompletionHandler<Long, Object> {

		private static final ByteBuffer[] NONE = new ByteBuffer[0];

		private final Object socket;

		private final long timeoutMillis;

		/** The frames collected, then written; reused from write to write. */
		private ByteBuffer[] collected = NONE;

		private int count;

		private int collectedBytes;

		/** How many of the collected buffers the write in flight holds. */
		private int writing;

		/** The handler of the write in flight. */
		private volatile @Nullable SendHandler inFlight;

		Frames(Object socket, long timeoutMillis) {
			this.socket = socket;
			this.timeoutMillis = timeoutMillis;
		}

		@Override
		public void ping(SendHandler handler) {
			send(PING, handler);
		}

		@Override
		public void flush(SendHandler handler) {
			if (this.count == 0) {
				handler.onResult(OK);
			}
			else {
				write(handler);
			}
		}

		@Override
		public void send(byte[] frame, SendHandler handler) {
			if (this.count == this.collected.length) {
				this.collected = Arrays.copyOf(this.collected, Math.max(4, this.count * 2));
			}
			// a buffer of its own per connection: the write moves its position, the bytes are shared
			this.collected[this.count++] = ByteBuffer.wrap(frame);
			this.collectedBytes += frame.length;
			if (this.collectedBytes >= MAX_COLLECTED_BYTES || this.count >= MAX_COLLECTED_FRAMES) {
				write(handler);
			}
			else {
				handler.onResult(OK);
			}
		}

		private void write(SendHandler handler) {
			int count = this.count;
			this.count = 0;
			this.collectedBytes = 0;
			this.writing = count;
			this.inFlight = handler;
			try {
				SocketFrames.this.write.invoke(this.socket, this.collected, 0, count, SocketFrames.this.semiBlock,
						this.timeoutMillis, TimeUnit.MILLISECONDS, null, SocketFrames.this.completeWrite, this);
			}
			catch (Throwable ex) {
				failed(ex, null);
			}
		}

		/** Nothing new is collected before the handler runs: the written buffers can go now. */
		private void release() {
			Arrays.fill(this.collected, 0, this.writing, null);
			this.writing = 0;
		}

		@Override
		public void completed(Long written, Object attachment) {
			release();
			SendHandler handler = this.inFlight;
			if (handler != null) {
				this.inFlight = null;
				handler.onResult(OK);
			}
		}

		@Override
		public void failed(Throwable failure, Object attachment) {
			release();
			SendHandler handler = this.inFlight;
			if (handler != null) {
				this.inFlight = null;
				handler.onResult(new SendResult(failure));
			}
		}

	}

}
