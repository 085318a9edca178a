package io.tensorgate.backend.onnxruntime;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import ai.onnxruntime.ValueInfo;
import io.tensorgate.backend.BackendException;
import io.tensorgate.backend.DataType;
import io.tensorgate.backend.ModelSignature;
import io.tensorgate.backend.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Translation between ONNX Runtime's element types and node infos and Tensorgate's types. */
final class OrtTypes {
  private OrtTypes() {}

  /** The Triton datatype of an ONNX element type, or {@code null} when Triton has none. */
  static DataType dataType(OnnxTensorType onnxType) {
    return switch (onnxType) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
      default -> null;
    };
  }

  /**
   * The ONNX Runtime Java type that creates tensors of a fixed-size datatype over a buffer, or
   * {@code null} when ONNX Runtime's Java API cannot: it has no UINT16, UINT32 or UINT64 tensor
   * type (it reads such outputs, but cannot create such tensors), and BYTES goes through strings.
   */
  static OnnxJavaType bufferJavaType(DataType dataType) {
    return switch (dataType) {
      case BOOL -> OnnxJavaType.BOOL;
      case UINT8 -> OnnxJavaType.UINT8;
      case INT8 -> OnnxJavaType.INT8;
      case INT16 -> OnnxJavaType.INT16;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      case FP16 -> OnnxJavaType.FLOAT16;
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case BF16 -> OnnxJavaType.BFLOAT16;
      case UINT16, UINT32, UINT64, BYTES -> null;
    };
  }

  /**
   * Reads a session's inputs and outputs with their full shapes (-1 for symbolic or unknown
   * dimensions), in the model's order.
   *
   * @throws BackendException when an input or output is not a tensor, or has an element type that
   *     Triton has no datatype for
   */
  static ModelSignature signature(OrtSession session, Path modelFile) throws BackendException {
    try {
      return new ModelSignature(
          specs(session.getInputInfo(), "input", modelFile),
          specs(session.getOutputInfo(), "output", modelFile));
    } catch (OrtException e) {
      throw new BackendException(
          "cannot read the inputs and outputs of " + modelFile + ": " + e.getMessage(), e);
    }
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> nodes, String role, Path modelFile)
      throws BackendException {
    List<TensorSpec> specs = new ArrayList<>(nodes.size());
    for (NodeInfo node : nodes.values()) {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new BackendException(
            role
                + " '"
                + node.getName()
                + "' of "
                + modelFile
                + " is "
                + describe(node.getInfo())
                + ", not a tensor; the ONNX Runtime backend serves tensor inputs and outputs only");
      }
      DataType dataType = dataType(info.onnxType);
      if (dataType == null) {
        throw new BackendException(
            role
                + " '"
                + node.getName()
                + "' of "
                + modelFile
                + " has element type "
                + info.onnxType
                + ", which has no Triton datatype");
      }
      specs.add(new TensorSpec(node.getName(), dataType, normalized(info.getShape())));
    }
    return specs;
  }

  private static long[] normalized(long[] shape) {
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        shape[i] = -1;
      }
    }
    return shape;
  }

  private static String describe(ValueInfo info) {
    if (info instanceof SequenceInfo) {
      return "a sequence (" + info + ")";
    }
    if (info instanceof MapInfo) {
      return "a map (" + info + ")";
    }
    return String.valueOf(info);
  }
}
