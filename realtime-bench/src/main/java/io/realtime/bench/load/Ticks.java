package io.realtime.bench.load;

/**
 * Finds {@code "seq":<n>,"t":<micros>} in received bytes without a JSON parser, so the load
 * generator keeps up with hundreds of thousands of deliveries per second.
 */
final class Ticks {

	private static final byte[] SEQ = "\"seq\":".getBytes();

	private static final byte[] T = "\"t\":".getBytes();

	private Ticks() {
	}

	static int scan(byte[] bytes, int from, int to, ClientConnection connection) {
		int found = 0;
		int i = from;
		while ((i = indexOf(bytes, i, to, SEQ)) >= 0) {
			i += SEQ.length;
			long seq = 0;
			while (i < to && bytes[i] >= '0' && bytes[i] <= '9') {
				seq = seq * 10 + (bytes[i++] - '0');
			}
			int t = indexOf(bytes, i, to, T);
			if (t < 0) {
				break;
			}
			i = t + T.length;
			long micros = 0;
			while (i < to && bytes[i] >= '0' && bytes[i] <= '9') {
				micros = micros * 10 + (bytes[i++] - '0');
			}
			connection.tick(seq, micros);
			found++;
		}
		return found;
	}

	static int indexOf(byte[] bytes, int from, int to, byte[] pattern) {
		byte first = pattern[0];
		outer: for (int i = from; i <= to - pattern.length; i++) {
			if (bytes[i] != first) {
				continue;
			}
			for (int j = 1; j < pattern.length; j++) {
				if (bytes[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

}
