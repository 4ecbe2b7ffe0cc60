package dev.tuner.serving;

/** Seconds one iteration needs for memory traffic, arithmetic and GPU-to-GPU traffic, each at its peak. */
public record StepTimes(double memory, double compute, double interconnect) {}
