package io.tensorgate.server.codec;

import io.tensorgate.backend.ErrorCode;
import io.tensorgate.backend.InferenceException;
import io.tensorgate.batching.InferenceRequest.SequenceControl;
import io.tensorgate.proto.inference.InferParameter;
import java.util.Map;
import java.util.Set;

/**
 * The request-level parameters Triton defines ({@code sequence_id}, {@code sequence_start}, {@code
 * sequence_end}, {@code priority}, {@code timeout}, reserved {@code triton_*} keys) and {@link
 * RoutingKey#NAME}, checked with Triton's messages. Unknown keys of the usual types pass through
 * untouched.
 */
final class RequestParameters {
  private static final Set<String> ALLOWED_TRITON_KEYS =
      Set.of("triton_enable_empty_final_response");

  long sequenceNumericId;
  String sequenceStringId;
  boolean sequenceIdSet;
  boolean start;
  boolean end;
  int priority;
  long timeoutMicros;

  /** A request without parameters: shared, never changed. */
  private static final RequestParameters NONE = new RequestParameters();

  static RequestParameters parse(Map<String, InferParameter> params) throws InferenceException {
    if (params.isEmpty()) {
      return NONE;
    }
    RequestParameters p = new RequestParameters();
    for (Map.Entry<String, InferParameter> e : params.entrySet()) {
      String key = e.getKey();
      InferParameter v = e.getValue();
      switch (key) {
        case "sequence_id":
          if (v.hasInt64Param()) {
            p.sequenceNumericId = v.getInt64Param();
          } else if (v.hasStringParam()) {
            p.sequenceStringId = v.getStringParam();
          } else {
            throw invalid(
                "invalid value type for 'sequence_id' parameter, expected int64_param or"
                    + " string_param.");
          }
          p.sequenceIdSet = true;
          break;
        case "sequence_start":
          p.start = bool(key, v);
          break;
        case "sequence_end":
          p.end = bool(key, v);
          break;
        case "priority":
          long prio;
          if (v.hasInt64Param()) {
            prio = v.getInt64Param();
            if (prio < 0) {
              throw invalid("invalid value for 'priority', expected value >= 0.");
            }
          } else if (v.hasUint64Param()) {
            prio = v.getUint64Param();
            if (prio < 0) {
              throw invalid("request priority overflows uint32_t, use a value below 2^31");
            }
          } else {
            throw invalid(
                "invalid value type for 'priority' parameter, expected int64_param or"
                    + " uint64_param.");
          }
          p.priority = (int) Math.min(prio, Integer.MAX_VALUE);
          break;
        case "timeout":
          if (!v.hasInt64Param()) {
            throw invalid("invalid value type for 'timeout' parameter, expected int64_param.");
          }
          if (v.getInt64Param() < 0) {
            throw invalid("invalid value for 'timeout', expected value >= 0.");
          }
          p.timeoutMicros = v.getInt64Param();
          break;
        case RoutingKey.NAME:
          // Read before decoding, to route (RoutingKey.of); only its type is checked here.
          if (!v.hasStringParam()) {
            throw invalid(
                "invalid value type for '"
                    + RoutingKey.NAME
                    + "' parameter, expected string_param.");
          }
          break;
        default:
          if (key.startsWith("triton_") && !ALLOWED_TRITON_KEYS.contains(key)) {
            throw invalid(
                "parameter keys starting with 'triton_' are reserved for Triton usage. Only the"
                    + " following keys starting with 'triton_' are allowed: "
                    + String.join(" ", ALLOWED_TRITON_KEYS));
          }
          if (v.hasUint64Param()
              || v.getParameterChoiceCase()
                  == InferParameter.ParameterChoiceCase.PARAMETERCHOICE_NOT_SET) {
            throw invalid(
                "invalid value type for '"
                    + key
                    + "' parameter, expected int64_param, bool_param, or string_param.");
          }
      }
    }
    return p;
  }

  /** The sequence controls, or {@code null} when the request names no sequence. */
  SequenceControl sequence() throws InferenceException {
    if (!sequenceIdSet && !start && !end) {
      return null;
    }
    boolean noId = sequenceStringId == null ? sequenceNumericId == 0 : sequenceStringId.isEmpty();
    if (noId) {
      return null;
    }
    return new SequenceControl(sequenceNumericId, sequenceStringId, start, end);
  }

  private static boolean bool(String key, InferParameter v) throws InferenceException {
    if (!v.hasBoolParam()) {
      throw invalid("invalid value type for '" + key + "' parameter, expected bool_param.");
    }
    return v.getBoolParam();
  }

  private static InferenceException invalid(String message) {
    return new InferenceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
