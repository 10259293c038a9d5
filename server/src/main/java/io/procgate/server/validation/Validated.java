package io.procgate.server.validation;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * Marks a resource whose every call is checked, before it runs, against the constraints the
 * generator put on the interface it implements.
 */
@InterceptorBinding
@Retention(RUNTIME)
@Target(TYPE)
public @interface Validated {}
