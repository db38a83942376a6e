package io.realtime.webmvc.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the browser client: {@code GET {base}/client.js} (a classic script defining the
 * global {@code Realtime}), {@code {base}/client.mjs} (the same script as an ES module) and
 * {@code {base}/client.d.ts} (its TypeScript declarations). Each answer has a strong ETag and
 * {@code Cache-Control: no-cache}, so browsers keep a copy and revalidate it with a cheap
 * {@code 304} after every upgrade of the starter.
 *
 * @since 0.1.0
 */
@RestController
@RequestMapping("${realtime.base-path:/realtime}")
public class ClientScriptEndpoint {

	/** Where the build puts {@code realtime-client/src} in the jar. */
	static final String LOCATION = "io/realtime/client/";

	/** Appended to the classic script: it defines {@code globalThis.Realtime} as it runs. */
	static final String MODULE_EXPORTS = "\nexport default globalThis.Realtime;\n"
			+ "export const connect = globalThis.Realtime.connect;\n";

	static final MediaType JAVASCRIPT = new MediaType("application", "javascript", StandardCharsets.UTF_8);

	static final MediaType TYPESCRIPT = new MediaType("application", "typescript", StandardCharsets.UTF_8);

	private final Asset script;

	private final Asset module;

	private final Asset types;

	/**
	 * Create the endpoint with the client from the classpath.
	 * @throws IllegalStateException when the client is not on the classpath
	 */
	public ClientScriptEndpoint() {
		this(read("realtime.js"), read("realtime.d.ts"));
	}

	ClientScriptEndpoint(String script, String types) {
		this.script = new Asset(script, JAVASCRIPT);
		this.module = new Asset(script + MODULE_EXPORTS, JAVASCRIPT);
		this.types = new Asset(types, TYPESCRIPT);
	}

	@GetMapping("/client.js")
	public ResponseEntity<byte[]> script() {
		return this.script.response();
	}

	@GetMapping("/client.mjs")
	public ResponseEntity<byte[]> module() {
		return this.module.response();
	}

	@GetMapping("/client.d.ts")
	public ResponseEntity<byte[]> types() {
		return this.types.response();
	}

	private static String read(String name) {
		ClassPathResource resource = new ClassPathResource(LOCATION + name, ClientScriptEndpoint.class.getClassLoader());
		if (!resource.exists()) {
			throw new IllegalStateException("'" + LOCATION + name + "' is not on the classpath: the jar was built "
					+ "without realtime-client/src");
		}
		try (InputStream in = resource.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not read '" + LOCATION + name + "'", ex);
		}
	}

	/** One file, its bytes and its ETag computed once. */
	private static final class Asset {

		private final byte[] body;

		private final String etag;

		private final MediaType type;

		Asset(String text, MediaType type) {
			this.body = text.getBytes(StandardCharsets.UTF_8);
			this.etag = "\"" + sha256(this.body) + "\"";
			this.type = type;
		}

		/** Spring answers a matching {@code If-None-Match} with {@code 304} and no body. */
		ResponseEntity<byte[]> response() {
			return ResponseEntity.ok()
				.contentType(this.type)
				.eTag(this.etag)
				.cacheControl(CacheControl.noCache())
				.header("X-Content-Type-Options", "nosniff")
				.body(this.body);
		}

		private static String sha256(byte[] bytes) {
			try {
				byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
				return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException("SHA-256 is not available", ex);
			}
		}

	}

}
