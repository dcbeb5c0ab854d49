{
  "targets": [
    {
      "target_name": "convkit",
      "sources": [
        "native/addon.cc",
        "native/napi/args.cc",
        "native/napi/bindings.cc",
        "native/napi/jobs.cc",
        "native/napi/op-params.cc",
        "native/napi/graph.cc",
        "native/napi/operator.cc",
        "native/napi/weights.cc",
        "native/ops/conv2d.cc",
        "native/ops/im2col.cc",
        "native/ops/indirection.cc",
        "native/ops/indirection-cache.cc",
        "native/ops/liveness.cc",
        "native/ops/operator.cc",
        "native/ops/maxpool2d.cc",
        "native/ops/merge.cc",
        "native/ops/merge-grad.cc",
        "native/ops/activation.cc",
        "native/ops/dense.cc",
        "native/ops/depthwise2d.cc",
        "native/ops/depthwise2d-grad.cc",
        "native/ops/gemm.cc",
        "native/ops/matmul.cc",
        "native/ops/plan.cc",
        "native/ops/winograd.cc",
        "native/ops/workspace.cc",
        "native/kernels/cpu-features.cc",
        "native/kernels/f32-activations-f64.cc",
        "native/kernels/fault-injection.cc",
        "native/kernels/gemm-driver.cc",
        "native/kernels/kernel-bench.cc",
        "native/kernels/pack-a.cc",
        "native/kernels/pack-weights.cc",
        "native/kernels/thread-pool.cc",
        "native/kernels/f32-gemm-4x16-scalar.cc",
        "native/kernels/f32-igemm-4x16-scalar.cc",
        "native/kernels/f32-maxpool-nhwc-scalar.cc",
        "native/kernels/f32-vbinary-scalar.cc",
        "native/kernels/f32-winograd-scalar.cc",
        "native/kernels/f32-dwconv-4-scalar.cc",
        "native/napi/grad.cc",
        "native/ops/activation-grad.cc",
        "native/ops/elementwise-activation.cc",
        "native/ops/col2im.cc",
        "native/ops/maxpool2d-grad.cc",
        "native/ops/avgpool2d-grad.cc",
        "native/ops/pad2d.cc",
        "native/ops/weighted-grad.cc",
        "native/napi/batchnorm.cc",
        "native/ops/batchnorm.cc",
        "native/kernels/f32-batchnorm-scalar.cc",
        "native/ops/conv2d-transpose.cc",
        "native/ops/conv2d-transpose-grad.cc",
        "native/ops/upsampling2d.cc",
        "native/ops/permute.cc",
        "native/kernels/rows.cc",
        "native/kernels/f32-rows-scalar.cc"
      ],
      "conditions": [
        # Each architecture's SIMD kernels (kernels.json's arch); the portable scalar ones above are
        # in every build. x86 kernels reach AVX2/AVX-512 through target pragmas, so the binary
        # stays baseline x86-64; NEON is baseline on AArch64.
        ["target_arch=='x64'", {
          "sources": [
            "native/kernels/fma-peak-avx2.cc",
            "native/kernels/fma-peak-avx512f.cc",
            "native/kernels/f32-gemm-6x16-avx2-fma.cc",
            "native/kernels/f32-gemm-1x16-avx2-fma.cc",
            "native/kernels/f32-gemm-1x32-avx2-fma.cc",
            "native/kernels/f32-gemm-1x16-avx512f.cc",
            "native/kernels/f32-gemm-1x32-avx512f.cc",
            "native/kernels/f32-gemm-1x64-avx512f.cc",
            "native/kernels/f32-gemm-8x16-avx512f.cc",
            "native/kernels/f32-gemm-8x32-avx512f.cc",
            "native/kernels/f32-gemm-12x16-avx512f.cc",
            "native/kernels/f32-gemm-12x32-avx512f.cc",
            "native/kernels/f32-igemm-6x16-avx2-fma.cc",
            "native/kernels/f32-igemm-8x16-avx512f.cc",
            "native/kernels/f32-igemm-8x32-avx512f.cc",
            "native/kernels/f32-maxpool-nhwc-avx2.cc",
            "native/kernels/f32-maxpool-nhwc-avx512f.cc",
            "native/kernels/x32-packa-avx.cc",
            "native/kernels/f32-winograd-avx2.cc",
            "native/kernels/f32-winograd-avx512f.cc",
            "native/kernels/f32-batchnorm-avx2.cc",
            "native/kernels/f32-batchnorm-avx512f.cc",
            "native/kernels/f32-dwconv-16-avx2-fma.cc",
            "native/kernels/f32-dwconv-32-avx512f.cc",
            "native/kernels/f32-rows-avx2.cc",
            "native/kernels/f32-rows-avx512f.cc",
            "native/kernels/f32-vbinary-avx2.cc",
            "native/kernels/f32-vbinary-avx512f.cc"
          ]
        }],
        ["target_arch=='arm64'", {
          "sources": [
            "native/kernels/f32-gemm-6x16-neon.cc",
            "native/kernels/f32-gemm-1x16-neon.cc",
            "native/kernels/f32-igemm-6x16-neon.cc",
            "native/kernels/f32-maxpool-nhwc-neon.cc"
          ]
        }]
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags": ["-O3", "-fexceptions"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1 } }
    }
  ]
}
