package io.realtime.webmvc.http;

import java.time.Duration;

/**
 * Tunables of the long-poll transport.
 *
 * @param maxBatch most messages in one reply
 * @param timeout how long a request waits for a message
 * @param detach whether a waiting request is taken over from the container where it allows
 * @param sendTimeLimit longest the reply of a taken-over request may wait for the client
 * @since 0.1.0
 */
public record LongPollSettings(int maxBatch, Duration timeout, boolean detach, Duration sendTimeLimit) {
}
