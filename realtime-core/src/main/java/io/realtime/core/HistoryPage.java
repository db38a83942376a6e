package io.realtime.core;

import java.util.List;

/**
 * Messages read from a topic's history after a position.
 *
 * @param messages the messages in topic order, possibly empty
 * @param recovered {@code false} when the position was older than history (or from another
 * broker lifetime) and the page starts at the oldest message still held
 * @param position where the next read continues from: the last message's id, or the topic's
 * current position when the page is empty
 * @since 0.1.0
 */
public record HistoryPage(List<Message> messages, boolean recovered, String position) {

	public HistoryPage {
		messages = List.copyOf(messages);
	}

}
