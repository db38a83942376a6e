package io.realtime.bench.load;

import java.net.InetSocketAddress;

/**
 * Where the server under test listens.
 *
 * @param address the server's address
 */
record Endpoint(InetSocketAddress address) {

	String hostHeader() {
		return this.address.getHostString() + ":" + this.address.getPort();
	}

}
