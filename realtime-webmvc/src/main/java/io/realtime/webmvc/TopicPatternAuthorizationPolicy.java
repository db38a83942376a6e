package io.realtime.webmvc;

import java.security.Principal;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.AntPathMatcher;

/**
 * The default policy: anyone may subscribe to any topic; clients may publish only on topics
 * matching one of the configured patterns ({@code chat}, {@code news/*}, {@code news/**}).
 * A user's private topics ({@link UserTopics}) are that signed-in user's alone: only the owner
 * may subscribe, and publish where a pattern allows it.
 *
 * @since 0.1.0
 */
public class TopicPatternAuthorizationPolicy implements RealtimeAuthorizationPolicy {

	private final AntPathMatcher matcher = new AntPathMatcher("/");

	private final List<String> publishPatterns;

	/**
	 * Create a policy.
	 * @param publishPatterns the topic patterns clients may publish on; empty for none
	 */
	public TopicPatternAuthorizationPolicy(List<String> publishPatterns) {
		this.publishPatterns = List.copyOf(publishPatterns);
	}

	@Override
	public boolean canSubscribe(@Nullable Principal principal, String topic) {
		return ownerOnly(principal, topic);
	}

	@Override
	public boolean canPublish(@Nullable Principal principal, String topic) {
		if (!ownerOnly(principal, topic)) {
			return false;
		}
		for (String pattern : this.publishPatterns) {
			if (this.matcher.match(pattern, topic)) {
				return true;
			}
		}
		return false;
	}

	private static boolean ownerOnly(@Nullable Principal principal, String topic) {
		if (!UserTopics.isUserTopic(topic)) {
			return true;
		}
		return principal != null && UserTopics.belongsTo(topic, principal.getName());
	}

}
