package io.realtime.redis.test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * A plain Spring Boot web application with the realtime starter and realtime-redis, as a user
 * would have it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApplication {

}
