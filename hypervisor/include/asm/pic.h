#ifndef ASM_PIC_H
#define ASM_PIC_H
/* Remap the legacy PICs away from the exception vectors and mask them. */
void pic_disable(void);
#endif
