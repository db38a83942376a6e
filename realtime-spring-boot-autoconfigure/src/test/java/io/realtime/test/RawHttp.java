package io.realtime.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends requests byte for byte as written, for what {@link java.net.http.HttpClient} refuses to
 * send (malformed percent-encoding, any method on any path), and reads the whole answer.
 */
public final class RawHttp {

	private RawHttp() {
	}

	/**
	 * Send one request on a new connection and read the answer until the server closes.
	 * @param port the server's port
	 * @param head the request line and headers, without the blank line; {@code Host} and
	 * {@code Connection: close} are added
	 * @param body the body, possibly empty
	 * @return the answer
	 */
	public static Response send(int port, String head, String body) {
		try (Socket socket = new Socket("localhost", port)) {
			socket.setSoTimeout(10_000);
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			String request = head + "\r\nHost: localhost:" + port + "\r\nConnection: close\r\n"
					+ ((bytes.length > 0) ? "Content-Length: " + bytes.length + "\r\n" : "") + "\r\n";
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.write(bytes);
			out.flush();
			return Response.parse(readAll(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String readAll(InputStream in) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		in.transferTo(all);
		return all.toString(StandardCharsets.UTF_8);
	}

	/**
	 * An answer: status, headers by lower-case name, body (de-chunked).
	 * @param status the status code
	 * @param headers the headers
	 * @param body the body
	 */
	public record Response(int status, Map<String, String> headers, String body) {

		static Response parse(String raw) {
			int end = raw.indexOf("\r\n\r\n");
			String[] lines = raw.substring(0, end).split("\r\n");
			int status = Integer.parseInt(lines[0].split(" ")[1]);
			Map<String, String> headers = new TreeMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
			}
			String body = raw.substring(end + 4);
			if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
				body = dechunk(body);
			}
			return new Response(status, headers, body);
		}

		private static String dechunk(String chunked) {
			StringBuilder body = new StringBuilder();
			int at = 0;
			while (true) {
				int line = chunked.indexOf("\r\n", at);
				int size = Integer.parseInt(chunked.substring(at, line).trim(), 16);
				if (size == 0) {
					return body.toString();
				}
				body.append(chunked, line + 2, line + 2 + size);
				at = line + 2 + size + 2;
			}
		}

		/** The header's value, or {@code null}. */
		public String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

}
