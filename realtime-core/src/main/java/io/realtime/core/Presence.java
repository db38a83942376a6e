package io.realtime.core;

import java.util.List;

/**
 * Who is present on a topic, and news of who joins and leaves. A member is one connection (or
 * one polling client) with its user: a user with two tabs open is two members with the same
 * {@link PresenceMember#user() user}, so a list of users is the members grouped by user.
 *
 * <p>Listeners are told of every join and leave after they start listening, in the order they
 * happened on their topic, on the implementation's threads: they must not block. Members of an
 * implementation shared by several application instances (Redis) disappear by themselves a
 * bounded time after their instance stops renewing them.
 *
 * @since 0.1.0
 */
public interface Presence {

	/**
	 * Make a member present on a topic until the returned registration is closed.
	 * @param topic a valid topic
	 * @param member the member, whose id is not present on the topic yet
	 * @return the registration: close it to leave
	 * @throws PresenceLimitException when the topic holds as many members as it may
	 * @throws BrokerUnavailableException when the store cannot be reached
	 */
	Registration join(String topic, PresenceMember member);

	/**
	 * The members present on a topic, in the order they joined where the implementation knows it.
	 * @param topic a valid topic
	 * @return the members, empty when none
	 * @throws BrokerUnavailableException when the store cannot be reached
	 */
	List<PresenceMember> members(String topic);

	/**
	 * Be told of joins and leaves on a topic until the returned registration is closed.
	 * @param topic a valid topic
	 * @param listener the non-blocking listener
	 * @return the registration: close it to stop listening
	 */
	Registration listen(String topic, PresenceListener listener);

	/** A member's stay or a listener's interest; closing it ends it. Idempotent. */
	interface Registration extends AutoCloseable {

		@Override
		void close();

	}

}
