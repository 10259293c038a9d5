package io.procgate.server.validation;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The constraints of one operation's parameters. They are read from the method of the generated
 * interface that the called method implements: the generator annotates the interface, and an
 * implementation does not repeat its annotations.
 */
final class OperationConstraints {
  private static final ConcurrentMap<Method, OperationConstraints> OF_METHOD =
      new ConcurrentHashMap<>();

  private record Argument(int index, Place place, ValueConstraints constraints) {}

  private final List<Argument> arguments;

  private OperationConstraints(List<Argument> arguments) {
    this.arguments = arguments;
  }

  static OperationConstraints of(Method method) {
    return OF_METHOD.computeIfAbsent(method, OperationConstraints::read);
  }

  /** Throws {@link RequestRefused} with every constraint the arguments break. */
  void check(Object[] values) {
    List<String> found = null;
    for (Argument argument : arguments) {
      found = argument.constraints.check(values[argument.index], argument.place, null, found);
    }
    if (found != null) {
      found.sort(null);
      throw new RequestRefused(found);
    }
  }

  private static OperationConstraints read(Method method) {
    Method declared = declaration(method);
    Parameter[] parameters = declared.getParameters();
    List<Argument> arguments = new ArrayList<>();
    for (int i = 0; i < parameters.length; i++) {
      Parameter parameter = parameters[i];
      ValueConstraints constraints =
          ValueConstraints.read(
              parameter.getAnnotations(),
              parameter.getAnnotatedType(),
              declared.getDeclaringClass().getSimpleName() + "." + declared.getName() + " #" + i);
      if (constraints != null) {
        arguments.add(new Argument(i, placeOf(parameter), constraints));
      }
    }
    return new OperationConstraints(List.copyOf(arguments));
  }

  private static Place placeOf(Parameter parameter) {
    for (Annotation annotation : parameter.getAnnotations()) {
      if (annotation instanceof QueryParam query) {
        return Place.parameter("query parameter", query.value());
      }
      if (annotation instanceof HeaderParam header) {
        return Place.parameter("header", header.value());
      }
      if (annotation instanceof PathParam path) {
        return Place.parameter("path parameter", path.value());
      }
    }
    return Place.BODY;
  }

  private static Method declaration(Method method) {
    for (Class<?> type = method.getDeclaringClass(); type != null; type = type.getSuperclass()) {
      for (Class<?> api : type.getInterfaces()) {
        try {
          return api.getMethod(method.getName(), method.getParameterTypes());
        } catch (NoSuchMethodException notThisOne) {
          // the method comes from another interface, or from none
        }
      }
    }
    return method;
  }
}
