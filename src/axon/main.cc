#include <iostream>

#include "axon/cli.h"

int main(int argc, char** argv) { return mlos::axon::RunAxon(argc, argv, std::cout, std::cerr); }
