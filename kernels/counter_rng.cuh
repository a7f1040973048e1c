// trdetr.tensor.CounterRng on the device: the dropout mask of element i is counter_uniform(seed, offset + i) < p in
// every kernel that applies dropout (elementwise.cu, attention.cu), so all of them draw the CPU backend's mask.
#pragma once

// SplitMix64's finaliser twice; uniform has 24 random bits.
__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

__device__ __forceinline__ float counter_uniform(unsigned long long seed, unsigned long long counter) {
    unsigned long long bits = mix64(mix64(seed + 0x9e3779b97f4a7c15ULL)
                                    ^ (counter * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
    return (float) (bits >> 40) * 0x1.0p-24f;
}
