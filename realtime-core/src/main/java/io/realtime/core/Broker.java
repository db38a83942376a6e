package io.realtime.core;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * Accepts messages for topics, keeps a bounded history of them and fans them out to
 * subscribers. Message ids are opaque, unique and increasing within a topic, and never
 * mistaken for the ids of another broker lifetime.
 *
 * <p>A position is the id of the last message a client already has on a topic; {@code null}
 * means "now". Positions may be handed to any broker instance that shares the same store.
 *
 * @since 0.1.0
 */
public interface Broker {

	/**
	 * Accept a message.
	 * @param topic a valid topic
	 * @param data the payload as compact JSON text
	 * @return the accepted message with its id and timestamp
	 * @throws InvalidTopicException when the topic is malformed
	 * @throws BrokerUnavailableException when the broker cannot accept messages now
	 */
	Message publish(String topic, String data);

	/**
	 * Accept a message without waiting for the broker's store, so a caller that answers
	 * asynchronously (an HTTP publish) holds no thread meanwhile and many publishes can be in
	 * flight at once. Publishes of a topic called one after another, from any threads, get
	 * increasing ids in that order, as with {@link #publish}. The default publishes on the
	 * caller's thread.
	 * @param topic a valid topic
	 * @param data the payload as compact JSON text
	 * @return the accepted message with its id and timestamp; it fails with
	 * {@link BrokerUnavailableException} or {@link TopicLimitException} when the broker cannot
	 * accept the message now
	 * @throws InvalidTopicException when the topic is malformed
	 * @since 0.1.0
	 */
	default CompletionStage<Message> publishAsync(String topic, String data) {
		try {
			return CompletableFuture.completedFuture(publish(topic, data));
		}
		catch (BrokerUnavailableException | TopicLimitException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Read history after a position.
	 * @param topic a valid topic
	 * @param after the last id the caller has, or {@code null} for "now" (an empty page
	 * positioned at the newest message)
	 * @param limit the most messages to return
	 * @return the page
	 * @throws InvalidCursorException when {@code after} cannot be an id of this topic
	 */
	HistoryPage read(String topic, @Nullable String after, int limit);

	/**
	 * The position right before the newest {@code count} messages of a topic (all of them when
	 * history holds fewer), for a subscriber that starts now but first wants the last few: a
	 * {@link #read} or {@link #subscribe} from it returns those messages, then later ones, with
	 * no gap and no duplicate. A broker that cannot go back answers "now" (the default).
	 * @param topic a valid topic
	 * @param count how many messages to go back, 0 for now
	 * @return the position
	 * @since 0.1.0
	 */
	default String rewind(String topic, int count) {
		return read(topic, null, 0).position();
	}

	/**
	 * Subscribe to a topic: {@link MessageListener#onSubscribed} first, then every message
	 * after {@code after} still in history, then live messages, with no gap and no duplicate.
	 * @param topic a valid topic
	 * @param after the last id the subscriber has, or {@code null} to start now
	 * @param listener the non-blocking listener
	 * @return the subscription
	 * @throws InvalidCursorException when {@code after} cannot be an id of this topic
	 */
	Subscription subscribe(String topic, @Nullable String after, MessageListener listener);

	/**
	 * The number of subscriptions this broker instance currently holds.
	 * @return the count
	 */
	long subscriptionCount();

	/**
	 * Refuse at once subscribing to topics this broker has no room for now, so a transport that
	 * answers before it subscribes (a stream taken over from its request) can still refuse
	 * cleanly. Best effort: a subscribe after a passed check may still be refused.
	 * @param topics the topics about to be subscribed to
	 * @throws TopicLimitException when they would take the broker past its topic limit
	 */
	default void checkRoomFor(Collection<String> topics) {
	}

}
