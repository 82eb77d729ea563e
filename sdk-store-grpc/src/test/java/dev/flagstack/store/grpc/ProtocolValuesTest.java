package dev.flagstack.store.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flagstack.FlagValue;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProtocolValuesTest {
  static Stream<FlagValue> values() {
    return Stream.of(FlagValue.TRUE, FlagValue.FALSE, FlagValue.of(""), FlagValue.of("ü \"q\" \\ 🚀"),
        FlagValue.of(0L), FlagValue.of(Long.MIN_VALUE), FlagValue.of(Long.MAX_VALUE), FlagValue.of(1.5),
        FlagValue.of(-0.0), FlagValue.of(Double.MAX_VALUE), FlagValue.object(Map.of("a", List.of(1L, 2.5, "x"))),
        FlagValue.array(List.of()), FlagValue.object(Map.of()));
  }

  @ParameterizedTest
  @MethodSource("values")
  void everyValueSurvivesTheWireForm(FlagValue value) throws Exception {
    dev.flagstack.store.grpc.v1.FlagValue proto = ProtocolValues.toProto(value);
    byte[] wire = proto.toByteArray();

    FlagValue back = ProtocolValues.fromProto(dev.flagstack.store.grpc.v1.FlagValue.parseFrom(wire));

    assertThat(back).isEqualTo(value);
    assertThat(back.type()).isEqualTo(value.type());
  }

  @Test
  void eachTypeUsesItsOwnField() {
    assertThat(ProtocolValues.toProto(FlagValue.TRUE).getKindCase().name()).isEqualTo("BOOL_VALUE");
    assertThat(ProtocolValues.toProto(FlagValue.of("s")).getKindCase().name()).isEqualTo("STRING_VALUE");
    assertThat(ProtocolValues.toProto(FlagValue.of(1L)).getKindCase().name()).isEqualTo("INT_VALUE");
    assertThat(ProtocolValues.toProto(FlagValue.of(1.0)).getKindCase().name()).isEqualTo("DOUBLE_VALUE");
    assertThat(ProtocolValues.toProto(FlagValue.fromJson("{\"k\":[true,null]}")).getJsonValue())
        .isEqualTo("{\"k\":[true,null]}");
  }

  @Test
  void valuesThatBreakTheProtocolAreRefused() {
    assertThatThrownBy(() -> ProtocolValues.fromProto(dev.flagstack.store.grpc.v1.FlagValue.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no kind");
    assertThatThrownBy(() -> ProtocolValues.fromProto(dev.flagstack.store.grpc.v1.FlagValue.newBuilder()
        .setDoubleValue(Double.POSITIVE_INFINITY).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    for (String json : List.of("\"text\"", "1", "true", "null", "{", "[1,]", "")) {
      assertThatThrownBy(() -> ProtocolValues.fromProto(dev.flagstack.store.grpc.v1.FlagValue.newBuilder()
          .setJsonValue(json).build())).as(json).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
