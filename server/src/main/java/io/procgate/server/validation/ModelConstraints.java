package io.procgate.server.validation;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The constraints of a generated model, which the generator puts on its getters, each under the
 * property's JSON name so that a message names the field as the client sent it.
 */
final class ModelConstraints {
  private static final ClassValue<ModelConstraints> OF_CLASS =
      new ClassValue<>() {
        @Override
        protected ModelConstraints computeValue(Class<?> type) {
          return read(type);
        }
      };

  private record Property(String name, Method getter, ValueConstraints constraints) {}

  private final List<Property> properties;

  private ModelConstraints(List<Property> properties) {
    this.properties = properties;
  }

  static ModelConstraints of(Class<?> type) {
    return OF_CLASS.get(type);
  }

  List<String> check(Object model, Place place, List<String> found) {
    for (Property property : properties) {
      Object value;
      try {
        value = property.getter.invoke(model);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + property.getter, e);
      }
      found = property.constraints.check(value, place, property.name, found);
    }
    return found;
  }

  private static ModelConstraints read(Class<?> type) {
    List<Property> properties = new ArrayList<>();
    for (Method method : type.getMethods()) {
      if (!isGetter(method)) {
        continue;
      }
      ValueConstraints constraints =
          ValueConstraints.read(
              method.getAnnotations(),
              method.getAnnotatedReturnType(),
              type.getSimpleName() + "." + method.getName());
      if (constraints != null) {
        // Access is checked once, here, instead of on every call of check(): a JFR profile of execs
        // showed those reflective reads still taking the JDK's slow access check.
        method.setAccessible(true);
        properties.add(new Property(jsonName(method), method, constraints));
      }
    }
    properties.sort(Comparator.comparing(Property::name));
    return new ModelConstraints(List.copyOf(properties));
  }

  private static boolean isGetter(Method method) {
    String name = method.getName();
    return method.getParameterCount() == 0
        && !Modifier.isStatic(method.getModifiers())
        && method.getDeclaringClass() != Object.class
        && (name.startsWith("get") && name.length() > 3
            || name.startsWith("is") && name.length() > 2);
  }

  private static String jsonName(Method getter) {
    JsonProperty json = getter.getAnnotation(JsonProperty.class);
    if (json != null && !json.value().isEmpty()) {
      return json.value();
    }
    String name = getter.getName().substring(getter.getName().startsWith("is") ? 2 : 3);
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }
}
