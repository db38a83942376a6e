package io.realtime.webmvc.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.realtime.webmvc.RealtimeException;
import io.realtime.webmvc.RealtimeException.Reason;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * The query string of a realtime request, decoded strictly as percent-encoded UTF-8 here rather
 * than by the container: malformed input is the same {@code 400} problem on every container
 * (Tomcat throws from {@code getParameter}, others substitute characters), and a form body is
 * never read as parameters.
 */
final class QueryParameters {

	private static final QueryParameters NONE = new QueryParameters(Map.of());

	private final Map<String, List<String>> values;

	private QueryParameters(Map<String, List<String>> values) {
		this.values = values;
	}

	static QueryParameters of(HttpServletRequest request) {
		String query = request.getQueryString();
		if (query == null || query.isEmpty()) {
			return NONE;
		}
		Map<String, List<String>> values = new HashMap<>();
		for (String pair : query.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int equals = pair.indexOf('=');
			String name = decode((equals < 0) ? pair : pair.substring(0, equals));
			String value = (equals < 0) ? "" : decode(pair.substring(equals + 1));
			values.computeIfAbsent(name, (key) -> new ArrayList<>(1)).add(value);
		}
		return new QueryParameters(values);
	}

	/** The first value of the parameter, or {@code null}. */
	@Nullable String first(String name) {
		List<String> all = this.values.get(name);
		return (all != null) ? all.get(0) : null;
	}

	/** Every value of the parameter in request order, or {@code null}. */
	@Nullable List<String> all(String name) {
		return this.values.get(name);
	}

	private static String decode(String encoded) {
		if (encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0) {
			return encoded;
		}
		ByteBuffer bytes = ByteBuffer.allocate(encoded.length() * 3);
		for (int i = 0; i < encoded.length(); i++) {
			char c = encoded.charAt(i);
			if (c == '%') {
				int high = (i + 2 < encoded.length()) ? Character.digit(encoded.charAt(i + 1), 16) : -1;
				int low = (high >= 0) ? Character.digit(encoded.charAt(i + 2), 16) : -1;
				if (low < 0) {
					throw malformed();
				}
				bytes.put((byte) ((high << 4) | low));
				i += 2;
			}
			else if (c == '+') {
				bytes.put((byte) ' ');
			}
			else {
				bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
			}
		}
		CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		try {
			CharBuffer decoded = utf8.decode(bytes.flip());
			return decoded.toString();
		}
		catch (CharacterCodingException ex) {
			throw malformed();
		}
	}

	private static RealtimeException malformed() {
		return new RealtimeException(Reason.BAD_REQUEST, "the query string is not valid percent-encoded UTF-8");
	}

}
