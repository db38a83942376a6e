package io.realtime.test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare {@link Socket}, the handshake and frames written by hand, so a
 * test controls exactly when (and whether) it reads: a client that stops reading fills its
 * small receive buffer and the server's socket behind it, as a stalled browser tab would.
 */
public final class RawWebSocket implements AutoCloseable {

	/** What {@link #readUntilClose()} returns when the server ends the connection with no close frame. */
	public static final int ENDED_WITHOUT_CLOSE_FRAME = 1006;

	private static final int OPCODE_TEXT = 0x1;

	private static final int OPCODE_CLOSE = 0x8;

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	private RawWebSocket(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new DataInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
	}

	/**
	 * Connect to {@code /realtime/ws} and complete the handshake.
	 * @param port the server port
	 * @param receiveBufferSize the socket's receive buffer in bytes, set before connecting so
	 * the advertised window stays small
	 * @return the open connection
	 * @throws IOException when the connection or the handshake fails
	 */
	public static RawWebSocket connect(int port, int receiveBufferSize) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(receiveBufferSize);
		socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
		socket.connect(new InetSocketAddress("localhost", port), 5000);
		RawWebSocket client = new RawWebSocket(socket);
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		client.out.write(("GET /realtime/ws HTTP/1.1\r\n" + "Host: localhost:" + port + "\r\n"
				+ "Upgrade: websocket\r\n" + "Connection: Upgrade\r\n" + "Sec-WebSocket-Key: "
				+ Base64.getEncoder().encodeToString(nonce) + "\r\n" + "Sec-WebSocket-Version: 13\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		client.out.flush();
		String headers = client.readHeaders();
		if (!headers.startsWith("HTTP/1.1 101")) {
			socket.close();
			throw new IOException("handshake refused: " + headers);
		}
		return client;
	}

	/** Send one masked text frame, as every client frame must be. */
	public void sendText(String text) throws IOException {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
		frame.write(0x80 | OPCODE_TEXT);
		if (payload.length < 126) {
			frame.write(0x80 | payload.length);
		}
		else {
			frame.write(0x80 | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length);
		}
		byte[] mask = new byte[4];
		ThreadLocalRandom.current().nextBytes(mask);
		frame.write(mask);
		for (int i = 0; i < payload.length; i++) {
			frame.write(payload[i] ^ mask[i % 4]);
		}
		this.out.write(frame.toByteArray());
		this.out.flush();
	}

	/** Read the next frame the server sent (server frames are not masked). */
	public Frame readFrame() throws IOException {
		int first = this.in.readUnsignedByte();
		int second = this.in.readUnsignedByte();
		long length = second & 0x7F;
		if (length == 126) {
			length = this.in.readUnsignedShort();
		}
		else if (length == 127) {
			length = this.in.readLong();
		}
		byte[] payload = new byte[Math.toIntExact(length)];
		this.in.readFully(payload);
		return new Frame(first & 0x0F, payload);
	}

	/** Read the next text frame, skipping control frames such as pings. */
	public String readText() throws IOException {
		Frame frame;
		do {
			frame = readFrame();
			if (frame.opcode() == OPCODE_CLOSE) {
				throw new EOFException("closed with " + frame.closeCode());
			}
		}
		while (frame.opcode() != OPCODE_TEXT);
		return new String(frame.payload(), StandardCharsets.UTF_8);
	}

	/**
	 * Read (and drop) every frame until the server's close frame or the end of the connection.
	 * @return the close code the server sent, or {@link #ENDED_WITHOUT_CLOSE_FRAME}
	 * @throws IOException when reading fails otherwise, such as on a read timeout: the server
	 * kept the connection open
	 */
	public int readUntilClose() throws IOException {
		Frame frame;
		try {
			do {
				frame = readFrame();
			}
			while (frame.opcode() != OPCODE_CLOSE);
		}
		catch (EOFException ex) {
			return ENDED_WITHOUT_CLOSE_FRAME;
		}
		return frame.closeCode();
	}

	private String readHeaders() throws IOException {
		StringBuilder headers = new StringBuilder();
		while (!headers.toString().endsWith("\r\n\r\n")) {
			headers.append((char) this.in.readUnsignedByte());
		}
		return headers.toString();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/** One frame: its opcode and unmasked payload. */
	public record Frame(int opcode, byte[] payload) {

		/** The status code of a close frame, or 1005 when it has none. */
		public int closeCode() {
			return (this.payload.length >= 2) ? ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF) : 1005;
		}

	}

}
