package io.realtime.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.realtime.core.BrokerUnavailableException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Runs one Lua script on a Lettuce connection of its own, without waiting: every thread's calls
 * share the connection, many in flight at once, instead of each taking a connection from the
 * factory and blocking for its reply. One connection sends commands in the order they are
 * dispatched, so calls made one after another run in that order.
 *
 * <p>The connection comes from the factory's own Lettuce client, so it is configured as the
 * application's other connections are (standalone, Sentinel or Cluster, credentials, TLS,
 * timeouts, disconnected behaviour; Lettuce's command timeout bounds every call). On a cluster,
 * Lettuce sends {@code EVALSHA} to the master of the first key's slot. Anything else (another
 * client library, a static master/replica setup whose client cannot connect by itself) runs the
 * script through the given blocking fallback.
 */
final class ScriptPipeline implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ScriptPipeline.class);

	private static final long RETRY_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

	private final @Nullable LettuceConnectionFactory factory;

	private final String script;

	private final String digest;

	/** Runs the script on the caller's thread, through Spring Data Redis. */
	private final BiFunction<List<String>, String[], List<?>> fallback;

	private volatile @Nullable RedisClusterAsyncCommands<String, String> commands;

	private @Nullable StatefulConnection<String, String> connection;

	/** Whether Redis is expected to know the script, so {@code EVALSHA} saves sending it. */
	private volatile boolean loaded;

	private volatile boolean blocking;

	/** When a connection may be tried again after one failed, so callers fail fast meanwhile. */
	private long retryAt = System.nanoTime();

	ScriptPipeline(RedisConnectionFactory factory, RedisScript<?> script,
			BiFunction<List<String>, String[], List<?>> fallback) {
		this.factory = (factory instanceof LettuceConnectionFactory lettuce) ? lettuce : null;
		this.blocking = (this.factory == null);
		this.script = script.getScriptAsString();
		this.digest = script.getSha1();
		this.fallback = fallback;
	}

	/**
	 * Run the script. The future fails with {@link BrokerUnavailableException} when Redis does
	 * not answer.
	 */
	CompletableFuture<List<?>> run(List<String> keys, String... args) {
		CompletableFuture<List<?>> result = new CompletableFuture<>();
		RedisClusterAsyncCommands<String, String> commands;
		try {
			commands = commands();
		}
		catch (RuntimeException ex) {
			result.completeExceptionally(unavailable(ex));
			return result;
		}
		if (commands == null) {
			try {
				result.complete(this.fallback.apply(keys, args));
			}
			catch (RuntimeException ex) {
				result.completeExceptionally(ex);
			}
			return result;
		}
		String[] keyArray = keys.toArray(new String[0]);
		if (this.loaded) {
			commands.<List<?>>evalsha(this.digest, ScriptOutputType.MULTI, keyArray, args).whenComplete((list, ex) -> {
				if (ex instanceof RedisNoScriptException) {
					// a restarted or failed-over Redis (or another cluster master) lacks the script:
					// send it whole. Calls that overlapped this one (none waited for the other)
					// may then run in either order; calls one after another keep theirs
					this.loaded = false;
					eval(commands, keyArray, args, result);
				}
				else {
					complete(result, list, ex);
				}
			});
		}
		else {
			eval(commands, keyArray, args, result);
		}
		return result;
	}

	private void eval(RedisClusterAsyncCommands<String, String> commands, String[] keys, String[] args,
			CompletableFuture<List<?>> result) {
		commands.<List<?>>eval(this.script, ScriptOutputType.MULTI, keys, args).whenComplete((list, ex) -> {
			if (ex == null) {
				this.loaded = true;
			}
			complete(result, list, ex);
		});
	}

	private static void complete(CompletableFuture<List<?>> result, @Nullable List<?> list, @Nullable Throwable ex) {
		if (ex != null) {
			result.completeExceptionally(unavailable(ex));
		}
		else if (list == null) {
			result.completeExceptionally(new IllegalStateException("Redis script returned nothing"));
		}
		else {
			result.complete(list);
		}
	}

	private @Nullable RedisClusterAsyncCommands<String, String> commands() {
		RedisClusterAsyncCommands<String, String> commands = this.commands;
		return (commands != null || this.blocking) ? commands : connect();
	}

	/**
	 * Connect on first use, not when the broker starts: Redis need not be up by then. Once
	 * connected, Lettuce reconnects by itself.
	 */
	private synchronized @Nullable RedisClusterAsyncCommands<String, String> connect() {
		RedisClusterAsyncCommands<String, String> commands = this.commands;
		if (commands != null || this.factory == null) {
			return commands;
		}
		if (System.nanoTime() - this.retryAt < 0) {
			throw new IllegalStateException("Redis was not reachable a moment ago");
		}
		try {
			AbstractRedisClient client = this.factory.getRequiredNativeClient();
			if (client instanceof RedisClusterClient cluster) {
				StatefulRedisClusterConnection<String, String> connection = cluster.connect(StringCodec.UTF8);
				this.connection = connection;
				commands = connection.async();
			}
			else {
				StatefulRedisConnection<String, String> connection;
				try {
					connection = ((RedisClient) client).connect(StringCodec.UTF8);
				}
				catch (IllegalStateException ex) {
					// a client without a default address (static master/replica): the factory knows how
					logger.debug("Publishing through Spring Data Redis: " + ex.getMessage());
					this.blocking = true;
					return null;
				}
				this.connection = connection;
				commands = connection.async();
			}
		}
		catch (RuntimeException ex) {
			// callers queued behind a connect that timed out would each wait as long again
			this.retryAt = System.nanoTime() + RETRY_DELAY_NANOS;
			throw ex;
		}
		this.commands = commands;
		return commands;
	}

	/**
	 * Close the connection; the next call connects again.
	 */
	@Override
	public synchronized void close() {
		this.commands = null;
		StatefulConnection<String, String> connection = this.connection;
		if (connection != null) {
			connection.closeAsync();
			this.connection = null;
		}
	}

	static BrokerUnavailableException unavailable(Throwable ex) {
		if (ex instanceof BrokerUnavailableException unavailable) {
			return unavailable;
		}
		return new BrokerUnavailableException("the message broker (Redis) is unavailable, try again later", ex);
	}

}
