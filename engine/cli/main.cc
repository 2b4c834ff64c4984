#include <cstdio>
int main() { std::puts("runbook: under construction"); return 0; }
