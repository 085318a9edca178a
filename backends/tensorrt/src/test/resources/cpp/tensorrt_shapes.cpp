// Classes shaped like TensorRT 10's interfaces, for CppDeleteTest: each is deleted from Java
// through CppDelete's virtual-table entry, and counts how often it was destroyed and freed.
#include <cstddef>
#include <new>

extern "C" {
int tg_destroyed[3];
int tg_freed[3];
void* tg_objects[3];
}

namespace shapes {

// As nvinfer1::INoCopy (NvInferRuntime.h): its only virtual function is its destructor.
class INoCopy {
 protected:
  INoCopy() = default;
  virtual ~INoCopy() = default;
  INoCopy(INoCopy const&) = delete;
  INoCopy& operator=(INoCopy const&) = delete;
};

// As IRuntime, ICudaEngine, IExecutionContext, IBuilder, IHostMemory: no other virtual function.
class IRuntime : public INoCopy {
 public:
  virtual ~IRuntime() noexcept = default;

 protected:
  void* mImpl = nullptr;
};

// As INetworkDefinition and IBuilderConfig: a virtual function declared after the destructor.
class INetworkDefinition : public INoCopy {
 public:
  virtual ~INetworkDefinition() noexcept = default;
  virtual int getBuilder() const noexcept { return 0; }

 protected:
  void* mImpl = nullptr;
};

// As nvonnxparser::IParser (NvOnnxParser.h): eight virtual functions, then the destructor.
class IParser {
 public:
  virtual bool parse(void const*, std::size_t, char const*) noexcept = 0;
  virtual bool parseFromFile(char const*, int) noexcept = 0;
  virtual bool supportsModel(void const*, std::size_t, void*, char const*) noexcept = 0;
  virtual bool parseWithWeightDescriptors(void const*, std::size_t) noexcept = 0;
  virtual bool supportsOperator(char const*) const noexcept = 0;
  virtual int getNbErrors() const noexcept = 0;
  virtual void const* getError(int) const noexcept = 0;
  virtual void clearErrors() noexcept = 0;
  virtual ~IParser() noexcept = default;
  virtual void setFlags(unsigned) noexcept = 0;
};

// A first base, so that the IRuntime part does not start the object: delete goes through a thunk.
class Tracing {
 public:
  virtual ~Tracing() = default;
  long events[3] = {};
};

class Runtime final : public Tracing, public IRuntime {
 public:
  ~Runtime() override { tg_destroyed[0]++; }
  static void operator delete(void* p) {
    tg_freed[0]++;
    ::operator delete(p);
  }
};

class Network final : public INetworkDefinition {
 public:
  ~Network() override { tg_destroyed[1]++; }
  int getBuilder() const noexcept override { return 1; }
  static void operator delete(void* p) {
    tg_freed[1]++;
    ::operator delete(p);
  }
};

class Parser final : public IParser {
 public:
  bool parse(void const*, std::size_t, char const*) noexcept override { return false; }
  bool parseFromFile(char const*, int) noexcept override { return false; }
  bool supportsModel(void const*, std::size_t, void*, char const*) noexcept override {
    return false;
  }
  bool parseWithWeightDescriptors(void const*, std::size_t) noexcept override { return false; }
  bool supportsOperator(char const*) const noexcept override { return false; }
  int getNbErrors() const noexcept override { return 0; }
  void const* getError(int) const noexcept override { return nullptr; }
  void clearErrors() noexcept override {}
  ~Parser() override { tg_destroyed[2]++; }
  void setFlags(unsigned) noexcept override {}
  static void operator delete(void* p) {
    tg_freed[2]++;
    ::operator delete(p);
  }
};

}  // namespace shapes

// The interface pointers Java receives from TensorRT's factories.
__attribute__((constructor)) static void tg_create() {
  tg_objects[0] = static_cast<shapes::IRuntime*>(new shapes::Runtime());
  tg_objects[1] = static_cast<shapes::INetworkDefinition*>(new shapes::Network());
  tg_objects[2] = static_cast<shapes::IParser*>(new shapes::Parser());
}
