package io.realtime.webmvc.http;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.realtime.core.Broker;
import io.realtime.core.Cursor;
import io.realtime.webmvc.Admission;
import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import io.realtime.webmvc.RealtimePresence;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * The topics of an HTTP subscribe request with the position each resumes from ({@code null}
 * for "now"): a topic's {@code since=<topic>=<id>} first, else its position in the cursor;
 * topics absent from both start now, topics only in the cursor are dropped.
 * With {@code rewind=N}, each topic that starts now starts right before its newest N messages
 * instead; a topic the cursor resumes keeps its position. Each such request is one subscribe of
 * its client's share.
 */
final class SubscribeRequest {

	private SubscribeRequest() {
	}

	static Map<String, @Nullable String> positions(Broker broker, Admission admission, @Nullable String cursor,
			QueryParameters query, HttpServletRequest request) {
		return positions(broker, admission, cursor, true, query, request);
	}

	/**
	 * As above; {@code sinceApplies} false when the cursor is newer than anything in the URL (an
	 * SSE {@code Last-Event-ID}: the browser repeats the original URL when it reconnects).
	 */
	static Map<String, @Nullable String> positions(Broker broker, Admission admission, @Nullable String cursor,
			boolean sinceApplies, QueryParameters query, HttpServletRequest request) {
		admission.client(request.getUserPrincipal(), request.getRemoteAddr()).subscribe();
		Set<String> valid = admission.subscribe(query.all("topic"), request.getUserPrincipal());
		Cursor parsed = admission.cursor(cursor);
		Map<String, String> since = admission.sinceByTopic(query.all("since"));
		if (!sinceApplies) {
			since = Map.of();
		}
		int rewind = admission.rewind(query.first("rewind"));
		Map<String, @Nullable String> positions = new LinkedHashMap<>();
		for (String topic : valid) {
			// a per-topic 'since' is the client's own, newer position: it wins over the cursor
			String position = since.getOrDefault(topic, parsed.position(topic));
			if (position == null && rewind > 0) {
				// a position like any other: what follows it comes gap-free, by the same path as a resume
				position = broker.rewind(topic, rewind);
			}
			positions.put(topic, position);
		}
		return positions;
	}

	/**
	 * The polling client of a request that names one ({@code client}), present on the request's
	 * topics on which presence is on and holding the news of them when it asks
	 * ({@code presence=true}); {@code null} when there is none of these topics or no client.
	 */
	static RealtimePresence.@Nullable PollClient presence(RealtimePresence presence, Admission admission,
			Set<String> topics, QueryParameters query, HttpServletRequest request) {
		List<String> on = topics.stream().filter(presence::isOn).toList();
		String client = query.first("client");
		String info = presence.info(query.first("info"));
		boolean news = presence.wantsNews(query.first("presence"));
		if (client == null || on.isEmpty()) {
			if (news && !on.isEmpty()) {
				throw new RealtimeException(Reason.BAD_REQUEST, "'presence' on a poll needs a 'client' id");
			}
			return null;
		}
		Principal principal = request.getUserPrincipal();
		if (news) {
			on.forEach((topic) -> admission.seePresence(topic, principal));
		}
		RealtimePresence.PollClient polling = presence.pollClient(principal, client);
		polling.poll(on, info, news);
		return polling;
	}

}
