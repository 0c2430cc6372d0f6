// The target only exports headers; this file gives SwiftPM a source to build.
#include "CPPGSystem.h"
