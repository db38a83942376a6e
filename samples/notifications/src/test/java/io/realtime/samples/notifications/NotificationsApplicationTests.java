package io.realtime.samples.notifications;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as its page uses it, over real HTTP: alice and bob sign in, alice's two streams
 * receive what bob sends her, bob's own stream does not, and bob cannot subscribe to hers.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class NotificationsApplicationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	int port;

	@Test
	void notificationReachesEveryPageOfItsUserOnly() throws Exception {
		Browser alice = Browser.login(this.port, "alice");
		Browser bob = Browser.login(this.port, "bob");
		assertThat(alice.get("/me").body()).isEqualTo("{\"name\":\"alice\"}");
		List<String> aliceFirstTab = alice.sse("/realtime/sse?topic=user/alice/notifications");
		List<String> aliceSecondTab = Browser.login(this.port, "alice").sse("/realtime/sse?topic=user/alice/notifications");
		List<String> bobsTab = bob.sse("/realtime/sse?topic=user/bob/notifications");

		assertThat(bob.postJson("/notify", "{\"to\":\"alice\",\"text\":\"lunch?\"}").statusCode()).isEqualTo(202);

		await().atMost(WAIT).until(() -> aliceFirstTab.size() == 1 && aliceSecondTab.size() == 1);
		assertThat(aliceFirstTab.get(0)).contains("\"from\":\"bob\"", "\"text\":\"lunch?\"");
		assertThat(bob.postJson("/notify", "{\"to\":\"bob\",\"text\":\"note to self\"}").statusCode()).isEqualTo(202);
		await().atMost(WAIT).until(() -> bobsTab.size() == 1);
		assertThat(bobsTab.get(0)).contains("note to self");
		assertThat(aliceFirstTab).hasSize(1);
		assertThat(bob.get("/realtime/poll?topic=user/alice/notifications").statusCode()).isEqualTo(403);
	}

	@Test
	void signedOutVisitorsAreSentToTheLoginPage() throws Exception {
		HttpResponse<String> page = new Browser(this.port).get("/");
		assertThat(page.statusCode()).isEqualTo(302);
		assertThat(page.headers().firstValue("Location")).hasValueSatisfying((to) -> assertThat(to).endsWith("/login"));
	}

	/** Cookies, and the CSRF header the page sends from the XSRF-TOKEN cookie. */
	static final class Browser {

		private final CookieManager cookies = new CookieManager();

		private final HttpClient http;

		private final int port;

		Browser(int port) {
			this.port = port;
			this.http = HttpClient.newBuilder().cookieHandler(this.cookies).connectTimeout(WAIT).build();
		}

		static Browser login(int port, String name) throws Exception {
			Browser browser = new Browser(port);
			browser.get("/login");
			HttpResponse<String> login = browser.http.send(HttpRequest.newBuilder(browser.uri("/login"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.header("X-XSRF-TOKEN", browser.csrfToken())
				.POST(HttpRequest.BodyPublishers.ofString("username=" + name + "&password=" + name))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(login.headers().firstValue("Location")).hasValueSatisfying((to) -> assertThat(to).doesNotContain("error"));
			return browser;
		}

		HttpResponse<String> get(String path) throws Exception {
			return this.http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
		}

		HttpResponse<String> postJson(String path, String json) throws Exception {
			get("/me"); // as the page: the token cookie is (re)issued by the requests it makes
			return this.http.send(HttpRequest.newBuilder(uri(path))
				.header("Content-Type", "application/json")
				.header("X-XSRF-TOKEN", csrfToken())
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.timeout(WAIT)
				.build(), HttpResponse.BodyHandlers.ofString());
		}

		/** Opens an event stream and collects the data of its {@code message} events. */
		List<String> sse(String path) throws Exception {
			HttpResponse<InputStream> response = this.http.send(HttpRequest.newBuilder(uri(path)).build(),
					HttpResponse.BodyHandlers.ofInputStream());
			assertThat(response.statusCode()).isEqualTo(200);
			List<String> messages = new CopyOnWriteArrayList<>();
			AtomicBoolean ready = new AtomicBoolean();
			Thread reader = new Thread(() -> {
				try (BufferedReader lines = new BufferedReader(
						new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
					String event = null;
					for (String line; (line = lines.readLine()) != null;) {
						// "field:value", one optional space after the colon
						if (line.startsWith("event:")) {
							event = line.substring(6).strip();
							ready.compareAndSet(false, event.equals("ready"));
						}
						else if (line.startsWith("data:") && "message".equals(event)) {
							messages.add(line.substring(5).strip());
						}
					}
				}
				catch (Exception ex) {
					// the stream ends with the test
				}
			});
			reader.setDaemon(true);
			reader.start();
			await().atMost(WAIT).untilTrue(ready);
			return messages;
		}

		private URI uri(String path) {
			return URI.create("http://localhost:" + this.port + path);
		}

		private String csrfToken() {
			return this.cookies.getCookieStore()
				.getCookies()
				.stream()
				.filter((cookie) -> cookie.getName().equals("XSRF-TOKEN"))
				.map(HttpCookie::getValue)
				.findFirst()
				.orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie"));
		}

	}

}
