package io.realtime.webmvc.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.realtime.core.Cursor;
import io.realtime.webmvc.Admission;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * The topics of an HTTP subscribe request with the position each resumes from ({@code null}
 * for "now"): topics absent from the cursor start now, topics only in the cursor are dropped.
 * Each such request is one subscribe of its client's share.
 */
final class SubscribeRequest {

	private SubscribeRequest() {
	}

	static Map<String, @Nullable String> positions(Admission admission, @Nullable String cursor,
			QueryParameters query, HttpServletRequest request) {
		admission.client(request.getUserPrincipal(), request.getRemoteAddr()).subscribe();
		Set<String> valid = admission.subscribe(query.all("topic"), request.getUserPrincipal());
		Cursor parsed = admission.cursor(cursor);
		Map<String, @Nullable String> positions = new LinkedHashMap<>();
		for (String topic : valid) {
			positions.put(topic, parsed.position(topic));
		}
		return positions;
	}

}
