
BxJ*{¡ò;≠¡ı c≈ñFK;∆Ö»BKj»/M8k»ÏH<L,ÀÀK°¡oKú√