package io.realtime.webmvc.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.realtime.core.Broker;
import io.realtime.core.Cursor;
import io.realtime.core.HistoryPage;
import io.realtime.core.Message;
import io.realtime.webmvc.RealtimePresence;
import io.realtime.webmvc.WireFormat;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The messages of one poll or long-poll reply, the cursor after them and the topics that could
 * not be resumed without a gap. Not thread-safe: long polls guard it themselves.
 */
final class Batch {

	private final List<Message> messages = new ArrayList<>();

	private final Map<String, String> positions = new LinkedHashMap<>();

	private final Set<String> reset = new LinkedHashSet<>();

	private final int maxBatch;

	/** The polling client whose news of presence the reply carries, if any. */
	private RealtimePresence.@Nullable PollClient presence;

	private Batch(int maxBatch) {
		this.maxBatch = maxBatch;
	}

	/**
	 * Read what history holds after each position, up to the batch limit in all.
	 */
	static Batch read(Broker broker, Map<String, @Nullable String> from, int maxBatch) {
		Batch batch = new Batch(maxBatch);
		from.forEach((topic, after) -> {
			HistoryPage page = broker.read(topic, after, maxBatch - batch.messages.size());
			batch.messages.addAll(page.messages());
			batch.positions.put(topic, page.position());
			if (!page.recovered()) {
				batch.reset.add(topic);
			}
		});
		return batch;
	}

	/** Whether the reply should go out now rather than wait for messages. */
	boolean isReady() {
		return !this.messages.isEmpty() || !this.reset.isEmpty()
				|| (this.presence != null && this.presence.hasNews());
	}

	/** Carry the news of presence a polling client holds. */
	Batch presence(RealtimePresence.@Nullable PollClient presence) {
		this.presence = presence;
		return this;
	}

	RealtimePresence.@Nullable PollClient presence() {
		return this.presence;
	}

	/** The position of every topic, to subscribe from while waiting. */
	Map<String, String> positions() {
		return this.positions;
	}

	/**
	 * Add a live message, unless the batch is full: the cursor then stops before it and the
	 * next request picks it up.
	 */
	boolean add(Message message) {
		if (this.messages.size() >= this.maxBatch) {
			return false;
		}
		this.messages.add(message);
		this.positions.put(message.topic(), message.id());
		return true;
	}

	/** The topics that could not be resumed without a gap. */
	Set<String> reset() {
		return this.reset;
	}

	void reset(String topic) {
		this.reset.add(topic);
	}

	/** The reply, for a request that waited or not. */
	static ResponseEntity<String> reply(String json) {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).header("Cache-Control", "no-store").body(json);
	}

	/** Set the headers of a reply written straight to the response. */
	static void headers(HttpServletResponse response) {
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setHeader("Cache-Control", "no-store");
	}

	String json(WireFormat wire) {
		return wire.pollReply(this.messages, Cursor.of(this.positions).encode(), this.reset,
				(this.presence != null) ? this.presence.takeNews() : List.of());
	}

}
