package io.realtime.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * Marks tests of a Tomcat fast path (a connection taken over from its request, Tomcat's socket
 * wrapper) or that read Tomcat's internals. They run on Tomcat with the fast paths on, the
 * module's default test run; the portable run ({@code realtime.fast-paths.enabled=false}) and the
 * Jetty run (module realtime-jetty-tests) leave them out with surefire's
 * {@code <excludedGroups>tomcat-fast-path</excludedGroups>}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(TomcatFastPath.TAG)
public @interface TomcatFastPath {

	/** The JUnit tag, as surefire's {@code groups} and {@code excludedGroups} name it. */
	String TAG = "tomcat-fast-path";

}
