package io.realtime.core;

/**
 * Told of the members that join and leave a topic. Called on the presence implementation's
 * threads, in the order of the topic's joins and leaves: hand the news on and return.
 *
 * @since 0.1.0
 */
public interface PresenceListener {

	/**
	 * A member arrived.
	 * @param topic the topic
	 * @param member the member
	 */
	void onJoin(String topic, PresenceMember member);

	/**
	 * A member left, or its instance stopped renewing it.
	 * @param topic the topic
	 * @param member the member
	 */
	void onLeave(String topic, PresenceMember member);

}
