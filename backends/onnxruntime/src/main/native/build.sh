#!/usr/bin/env bash
# Compiles ort_strings.c into the JNI library the ONNX Runtime backend loads from its class path
# (OrtStringsJni). Maven runs it after compiling the Java classes (see pom.xml, profile
# native-linux); it needs gcc and the JDK's JNI headers.
#   build.sh JAVA_HOME GENERATED_JNI_HEADERS_DIR OUTPUT_LIBRARY
set -euo pipefail
java_home=$1 jni_headers=$2 output=$3
source=$(dirname "$0")/ort_strings.c
mkdir -p "$(dirname "$output")"
${CC:-gcc} -std=c11 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror \
  -Wl,-z,noexecstack -Wl,--no-undefined \
  -I"$java_home/include" -I"$java_home/include/linux" -I"$jni_headers" \
  -o "$output" "$source" -ldl
