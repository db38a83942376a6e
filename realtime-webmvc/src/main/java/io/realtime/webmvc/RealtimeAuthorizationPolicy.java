package io.realtime.webmvc;

import java.security.Principal;

import org.jspecify.annotations.Nullable;

/**
 * Decides whether a client may subscribe to or publish on a topic, and who may upload. Asked for every subscribe
 * and every client publish on every transport; server code publishing through
 * {@link RealtimePublisher} is not asked. Declare a bean of this type to replace the default.
 *
 * @since 0.1.0
 */
public interface RealtimeAuthorizationPolicy {

	/**
	 * Whether the principal may receive messages of the topic.
	 * @param principal the authenticated user, or {@code null} when anonymous
	 * @param topic a valid topic
	 * @return {@code true} to allow
	 */
	boolean canSubscribe(@Nullable Principal principal, String topic);

	/**
	 * Whether the principal may publish on the topic.
	 * @param principal the authenticated user, or {@code null} when anonymous
	 * @param topic a valid topic
	 * @return {@code true} to allow
	 */
	boolean canPublish(@Nullable Principal principal, String topic);

	/**
	 * Whether the principal may see who is present on the topic: its members and the news of
	 * joins and leaves. By default whoever may subscribe to it.
	 * @param principal the authenticated user, or {@code null} when anonymous
	 * @param topic a valid topic on which presence is on
	 * @return {@code true} to allow
	 * @since 0.1.0
	 */
	default boolean canSeePresence(@Nullable Principal principal, String topic) {
		return canSubscribe(principal, topic);
	}

	/**
	 * Whether the principal may create an upload of that many bytes, asked before the upload
	 * exists (only when {@code realtime.upload.enabled}). The default allows everyone: enabling
	 * uploads is the opt-in, and the size, per-client count and disk budget limits still apply.
	 * Override it to allow only users, or to give each one a quota.
	 * @param principal the authenticated user, or {@code null} when anonymous
	 * @param length the declared length in bytes
	 * @return {@code true} to allow
	 * @since 0.1.0
	 */
	default boolean canUpload(@Nullable Principal principal, long length) {
		return true;
	}

}
