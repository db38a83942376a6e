package io.realtime.webmvc.http;

import java.util.LinkedHashMap;
import java.util.List;
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
			HttpServletRequest request) {
		admission.client(request.getUserPrincipal(), request.getRemoteAddr()).subscribe();
		// the raw values: binding to a List would split "a,b" into two topics, yet ',' makes a topic invalid
		String[] topics = request.getParameterValues("topic");
		Set<String> valid = admission.subscribe((topics != null) ? List.of(topics) : null, request.getUserPrincipal());
		Cursor parsed = admission.cursor(cursor);
		Map<String, @Nullable String> positions = new LinkedHashMap<>();
		for (String topic : valid) {
			positions.put(topic, parsed.position(topic));
		}
		return positions;
	}

}
