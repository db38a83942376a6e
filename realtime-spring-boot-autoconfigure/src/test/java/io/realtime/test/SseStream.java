package io.realtime.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;

/**
 * A streamed SSE reader: parses events as they arrive on a background thread.
 */
public final class SseStream implements AutoCloseable {

	private final List<Event> events = new CopyOnWriteArrayList<>();

	private final List<String> comments = new CopyOnWriteArrayList<>();

	private final HttpResponse<InputStream> response;

	private final Thread reader;

	/** The reader drops the connection right after this many messages, as a cut network would. */
	private final int dropAfterMessages;

	private volatile boolean ended;

	private SseStream(HttpResponse<InputStream> response, int dropAfterMessages) {
		this.response = response;
		this.dropAfterMessages = dropAfterMessages;
		this.reader = new Thread(this::read, "sse-reader");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	public static SseStream open(HttpClient http, URI uri, @Nullable String lastEventId) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri);
		if (lastEventId != null) {
			request.header("Last-Event-ID", lastEventId);
		}
		return open(http, request);
	}

	/** Open a stream with a request the caller prepared, such as one with extra headers. */
	public static SseStream open(HttpClient http, HttpRequest.Builder request) {
		return open(http, request, Integer.MAX_VALUE);
	}

	/**
	 * Open a stream that drops its connection right after its {@code dropAfterMessages}-th
	 * message event, so a test cuts it at an exact point however fast events arrive.
	 */
	public static SseStream open(HttpClient http, HttpRequest.Builder request, int dropAfterMessages) {
		request.header("Accept", "text/event-stream");
		try {
			HttpResponse<InputStream> response = http.send(request.GET().timeout(Duration.ofMinutes(5)).build(),
					HttpResponse.BodyHandlers.ofInputStream());
			return new SseStream(response, dropAfterMessages);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public HttpResponse<InputStream> response() {
		return this.response;
	}

	public int status() {
		return this.response.statusCode();
	}

	/** Every event received so far, in order. */
	public List<Event> events() {
		return this.events;
	}

	/** Events named {@code message}. */
	public List<Event> messages() {
		return this.events.stream().filter((event) -> "message".equals(event.name())).toList();
	}

	public List<String> comments() {
		return this.comments;
	}

	public boolean ended() {
		return this.ended;
	}

	private void read() {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.response.body(), StandardCharsets.UTF_8))) {
			String id = null;
			String name = null;
			String retry = null;
			List<String> data = new ArrayList<>();
			String line;
			int messages = 0;
			while ((line = lines.readLine()) != null) {
				if (line.isEmpty()) {
					if (!data.isEmpty() || retry != null || id != null) {
						// an event without data (retry, id only) is not dispatched as a message by browsers
						String type = (name != null) ? name : (data.isEmpty() ? "" : "message");
						this.events.add(new Event(id, type, String.join("\n", data), retry));
						if ("message".equals(type) && ++messages >= this.dropAfterMessages) {
							this.response.body().close();
							return;
						}
					}
					id = null;
					name = null;
					retry = null;
					data = new ArrayList<>();
				}
				else if (line.startsWith(":")) {
					this.comments.add(line.substring(1).trim());
				}
				else {
					int colon = line.indexOf(':');
					String field = (colon < 0) ? line : line.substring(0, colon);
					String value = (colon < 0) ? "" : line.substring(colon + 1);
					if (value.startsWith(" ")) {
						value = value.substring(1);
					}
					switch (field) {
						case "id" -> id = value;
						case "event" -> name = value;
						case "data" -> data.add(value);
						case "retry" -> retry = value;
						default -> {
						}
					}
				}
			}
		}
		catch (IOException ex) {
			// closed by the test or the server
		}
		finally {
			this.ended = true;
		}
	}

	@Override
	public void close() {
		try {
			this.response.body().close();
		}
		catch (IOException ex) {
			// already closed
		}
		this.reader.interrupt();
	}

	/** One event: {@code id} is the cursor after it. */
	public record Event(@Nullable String id, String name, String data, @Nullable String retry) {
	}

}
