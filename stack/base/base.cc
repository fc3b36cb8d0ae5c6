// Translation unit that keeps synack_stack non-empty while headers dominate base/.
#include "stack/base/result.h"
