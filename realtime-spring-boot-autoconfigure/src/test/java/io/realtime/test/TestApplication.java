package io.realtime.test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * A plain Spring Boot web application with nothing but the realtime starter's
 * auto-configuration, as a user would have it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApplication {

}
