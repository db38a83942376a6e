package io.realtime.webmvc.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.realtime.core.Broker;
import io.realtime.core.Cursor;
import io.realtime.webmvc.Admission;
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

}
