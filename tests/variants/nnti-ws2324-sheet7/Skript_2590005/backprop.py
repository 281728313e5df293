#!/usr/bin/env python
# coding: utf-8

# # Exercise 7.3: Backpropagation
# Paul Skript (2590005). We worked in VS Code, so here is the notebook as a script
# (File > Download as > Python); the %matplotlib magic is removed.

# In[1]:


import numpy as np
import matplotlib.pyplot as plt


# In[2]:


# The data: the 7.2 network and a batch of eight samples
W_hidden = np.array([[0.15, -0.25, 0.05], [0.2, 0.1, -0.15]])
W_out = np.array([[0.2, 0.5], [-0.35, 0.15], [0.15, -0.2]])
X = np.array([[-1.0, 1.0], [-0.5, 1.5], [-2.0, 0.5], [-1.0, 2.0], [1.0, -1.0], [1.5, -0.5], [0.5, -2.0], [2.0, -1.0]])
Y = np.array([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 4)


# ## 7.3.a Leaky ReLU

# In[3]:


# 7.3.a
def leaky_relu(z, alpha=0.01):
    """Leaky ReLU, elementwise."""
    z = np.asarray(z, dtype=float)
    out = z.copy()
    out[z <= 0] *= alpha
    return out


def leaky_relu_grad(z, alpha=0.01):
    """Derivative of leaky_relu, elementwise (1 for z > 0 and alpha otherwise)."""
    z = np.asarray(z, dtype=float)
    grad = np.full(z.shape, alpha)
    grad[z > 0] = 1.0
    return grad


# ## 7.3.b Softmax and cross-entropy

# In[4]:


# 7.3.b
def softmax(Z):
    """Softmax of each row of Z; must not overflow for entries like 1000."""
    Z = np.array(Z, dtype=float)
    Z -= Z.max(axis=-1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=-1, keepdims=True)
    return Z


def cross_entropy(P, Y):
    """Mean over the rows of -sum_k Y[k] log P[k]."""
    P, Y = np.asarray(P, dtype=float), np.asarray(Y, dtype=float)
    correct = np.log(P[Y == 1])          # one-hot targets: only the true class counts
    return -correct.sum() / P.shape[0]


# ## 7.3.c Forward pass

# In[5]:


# 7.3.c
def forward(X, W_hidden, W_out, alpha=0.01):
    """Returns (Z_hidden, H, Z_out, P) for a batch X with one sample per row."""
    Z_hidden = np.matmul(X, W_hidden)
    H = leaky_relu(Z_hidden, alpha)
    Z_out = np.matmul(H, W_out)
    P = softmax(Z_out)
    return Z_hidden, H, Z_out, P


# In[6]:


# given: the loss of the network on a batch
def loss(X, Y, W_hidden, W_out):
    return cross_entropy(forward(X, W_hidden, W_out)[3], Y)


# ## 7.3.d Backward pass

# In[7]:


# 7.3.d
def backward(X, Y, W_hidden, W_out, alpha=0.01):
    """Returns (dL/dW_hidden, dL/dW_out) of the mean loss, shaped like W_hidden and W_out."""
    Z_hidden, H, Z_out, P = forward(X, W_hidden, W_out, alpha)
    E = (P - Y) / len(X)
    dW_out = np.matmul(H.T, E)
    D = np.matmul(E, W_out.T) * leaky_relu_grad(Z_hidden, alpha)
    dW_hidden = np.matmul(X.T, D)
    return dW_hidden, dW_out


# In[8]:


# given: compare your backward pass with central differences before you train
def numerical_gradient(f, W, eps=1e-6):
    grad = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        old = W[index]
        W[index] = old + eps
        plus = f()
        W[index] = old - eps
        minus = f()
        W[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad

try:
    dW_hidden, dW_out = backward(X, Y, W_hidden, W_out)
    Wh, Wo = W_hidden.copy(), W_out.copy()
    print("dW_hidden error:", np.abs(dW_hidden - numerical_gradient(lambda: loss(X, Y, Wh, Wo), Wh)).max())
    print("dW_out error:   ", np.abs(dW_out - numerical_gradient(lambda: loss(X, Y, Wh, Wo), Wo)).max())
except NotImplementedError:
    print("backward is not implemented yet")


# ## 7.3.e Gradient step

# In[9]:


# 7.3.e
def gradient_step(W_hidden, W_out, dW_hidden, dW_out, learning_rate):
    """One step of gradient descent; returns the new (W_hidden, W_out)."""
    return np.subtract(W_hidden, learning_rate * dW_hidden), np.subtract(W_out, learning_rate * dW_out)


# ## 7.3.f Training loop

# In[10]:


# 7.3.f
def train(X, Y, W_hidden, W_out, learning_rate=0.05, epochs=100):
    """Full-batch gradient descent; returns the list of losses, one per epoch."""
    losses = []
    for epoch in range(epochs):
        losses.append(loss(X, Y, W_hidden, W_out))
        dW_hidden, dW_out = backward(X, Y, W_hidden, W_out)
        W_hidden, W_out = gradient_step(W_hidden, W_out, dW_hidden, dW_out, learning_rate)
    return losses


# In[11]:


# 7.3.f: train the network and show the loss falling
losses = train(X, Y, W_hidden, W_out, learning_rate=0.05, epochs=100)
plt.plot(losses)
plt.xlabel("epoch")
plt.ylabel("mean cross-entropy")
plt.show()
print(f"final loss: {losses[-1]:.4f}")
