package io.realtime.test;

import java.util.Map;

import io.realtime.webmvc.RealtimePublisher;

/** Numbered messages of about 1 KB, for tests of clients that fall behind. */
public final class PaddedMessages {

	public static final String PADDING = "x".repeat(1000);

	private PaddedMessages() {
	}

	/**
	 * Publish {@code count} messages numbered on from {@code published}.
	 * @return the number of the last one
	 */
	public static int publishBurst(RealtimePublisher publisher, String topic, int published, int count) {
		for (int i = 1; i <= count; i++) {
			publisher.publish(topic, Map.of("seq", published + i, "pad", PADDING));
		}
		return published + count;
	}

}
